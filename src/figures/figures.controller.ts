import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../access/actor.js';
import { CurrentActor } from '../access/current-actor.decorator.js';
import { IfMatch } from '../common/etag.interceptor.js';
import { ApiZodBody, ApiZodQuery } from '../common/openapi.js';
import { type PageQuery, pageOf, pageQuerySchema } from '../common/paging.js';
import { periodString } from '../common/values.js';
import { ZodPipe } from '../common/zod.pipe.js';
import { type BatchFigures, BatchFiguresPipe, batchFiguresSchema, type PutFigure, putFigureSchema } from './figure.schema.js';
import { FiguresService } from './figures.service.js';
import { jsonResponse, Returns, ReturnsAlso } from '../contract/returns.js';
import type { FigureJson } from './figure.types.js';

@ApiTags('figures 实际值')
@ApiBearerAuth()
@Controller()
export class FiguresController {
  constructor(private readonly figures: FiguresService) {}

  @Get('targets/:code/figures')
  @ApiZodQuery(pageQuerySchema)
  @Returns('FigurePage')
  async list(@Param('code') code: string, @Query(new ZodPipe(pageQuerySchema)) query: PageQuery) {
    return pageOf(await this.figures.list(code), query);
  }

  @Put('targets/:code/figures/:period')
  @ApiZodBody(putFigureSchema)
  @Returns('Figure')
  @ReturnsAlso('FigureSubmission', 202, '已提交，待规划处审核 (accepted for review: the submission; the figure counts once approved)')
  async put(
    @CurrentActor() actor: Actor,
    @Param('code') code: string,
    @Param('period', new ZodPipe(periodString, ['period'])) period: string,
    @Body(new ZodPipe(putFigureSchema)) body: PutFigure,
    @IfMatch() ifMatch?: string,
  ): Promise<FigureJson> {
    const written = await this.figures.put(actor, { ...body, target: code, period }, ifMatch);
    // a department's figure under review: 202 with its submission (Fastify sends the Response as it is)
    if ('state' in written) return jsonResponse(written, 202) as unknown as FigureJson;
    return written;
  }

  @Get('targets/:code/figures/:period')
  @Returns('Figure')
  get(@Param('code') code: string, @Param('period', new ZodPipe(periodString, ['period'])) period: string) {
    return this.figures.get(code, period);
  }

  @Get('targets/:code/figures/:period/revisions')
  @ApiZodQuery(pageQuerySchema)
  @Returns('FigureRevisionPage')
  async revisions(
    @Param('code') code: string, @Param('period', new ZodPipe(periodString, ['period'])) period: string,
    @Query(new ZodPipe(pageQuerySchema)) query: PageQuery,
  ) {
    return pageOf(await this.figures.revisions(code, period), query);
  }

  @Post('figures/batch')
  @HttpCode(200)
  @ApiZodBody(batchFiguresSchema)
  @Returns('WriteResult')
  batch(@CurrentActor() actor: Actor, @Body(new BatchFiguresPipe()) body: BatchFigures) {
    return this.figures.batch(actor, body.figures);
  }
}
