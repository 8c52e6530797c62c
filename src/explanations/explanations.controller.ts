import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../access/actor.js';
import { CurrentActor } from '../access/current-actor.decorator.js';
import { ApiZodBody, ApiZodQuery } from '../common/openapi.js';
import { type PageQuery, pageOf, pageQuerySchema } from '../common/paging.js';
import { ZodPipe } from '../common/zod.pipe.js';
import { Returns } from '../contract/returns.js';
import {
  type ExplanationsQuery, explanationsQuerySchema, type PutExplanation, putExplanationSchema, quarterString, type ReturnExplanation,
  returnExplanationSchema,
} from './explanation.schema.js';
import { ExplanationsService } from './explanations.service.js';

@ApiTags('explanations 情况说明')
@ApiBearerAuth()
@Controller()
export class ExplanationsController {
  constructor(private readonly explanations: ExplanationsService) {}

  @Get('explanations')
  @ApiZodQuery(explanationsQuerySchema)
  @Returns('ExplanationPage')
  list(@CurrentActor() actor: Actor, @Query(new ZodPipe(explanationsQuerySchema)) query: ExplanationsQuery) {
    return this.explanations.page(actor, query);
  }

  @Get('targets/:code/explanations')
  @ApiZodQuery(pageQuerySchema)
  @Returns('ExplanationPage')
  async forTarget(@Param('code') code: string, @Query(new ZodPipe(pageQuerySchema)) query: PageQuery) {
    return pageOf(await this.explanations.forTarget(code), query);
  }

  @Get('targets/:code/explanations/:period')
  @Returns('Explanation')
  get(@Param('code') code: string, @Param('period', new ZodPipe(quarterString, ['period'])) period: string) {
    return this.explanations.get(code, period);
  }

  @Put('targets/:code/explanations/:period')
  @ApiZodBody(putExplanationSchema)
  @Returns('Explanation')
  put(
    @CurrentActor() actor: Actor,
    @Param('code') code: string,
    @Param('period', new ZodPipe(quarterString, ['period'])) period: string,
    @Body(new ZodPipe(putExplanationSchema)) body: PutExplanation,
  ) {
    return this.explanations.submit(actor, code, period, body);
  }

  @Post('targets/:code/explanations/:period/return')
  @HttpCode(200)
  @ApiZodBody(returnExplanationSchema)
  @Returns('Explanation')
  returnIt(
    @CurrentActor() actor: Actor,
    @Param('code') code: string,
    @Param('period', new ZodPipe(quarterString, ['period'])) period: string,
    @Body(new ZodPipe(returnExplanationSchema)) body: ReturnExplanation,
  ) {
    return this.explanations.returnIt(actor, code, period, body.reason);
  }

  @Post('targets/:code/explanations/:period/accept')
  @HttpCode(200)
  @Returns('Explanation')
  accept(@CurrentActor() actor: Actor, @Param('code') code: string, @Param('period', new ZodPipe(quarterString, ['period'])) period: string) {
    return this.explanations.accept(actor, code, period);
  }
}
