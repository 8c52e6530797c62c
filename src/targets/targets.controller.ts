import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../access/actor.js';
import { CurrentActor } from '../access/current-actor.decorator.js';
import { IfMatch } from '../common/etag.interceptor.js';
import { ApiZodBody, ApiZodQuery } from '../common/openapi.js';
import { ZodPipe } from '../common/zod.pipe.js';
import {
  type CreateTarget, createTargetSchema, type ListTargets, listTargetsSchema, type UpdateTarget, updateTargetSchema,
} from './target.schema.js';
import { TargetsService } from './targets.service.js';
import { Returns, ReturnsNothing } from '../contract/returns.js';

@ApiTags('targets 指标')
@ApiBearerAuth()
@Controller('targets')
export class TargetsController {
  constructor(private readonly targets: TargetsService) {}

  @Get()
  @ApiZodQuery(listTargetsSchema)
  @Returns('TargetPage')
  list(@Query(new ZodPipe(listTargetsSchema)) query: ListTargets) {
    return this.targets.list(query);
  }

  @Post()
  @ApiZodBody(createTargetSchema)
  @Returns('Target', 201)
  create(@CurrentActor() actor: Actor, @Body(new ZodPipe(createTargetSchema)) body: CreateTarget) {
    return this.targets.create(actor, body);
  }

  @Get(':code')
  @Returns('Target')
  get(@Param('code') code: string) {
    return this.targets.get(code);
  }

  @Patch(':code')
  @ApiZodBody(updateTargetSchema)
  @Returns('Target')
  update(
    @CurrentActor() actor: Actor, @Param('code') code: string, @Body(new ZodPipe(updateTargetSchema)) body: UpdateTarget, @IfMatch() ifMatch?: string,
  ) {
    return this.targets.update(actor, code, body, ifMatch);
  }

  /** Archives: the target and its figures stay, it leaves lists and runs. */
  @Delete(':code')
  @HttpCode(204)
  @ReturnsNothing()
  archive(@CurrentActor() actor: Actor, @Param('code') code: string, @IfMatch() ifMatch?: string) {
    return this.targets.archive(actor, code, ifMatch);
  }
}
