import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../access/actor.js';
import { CurrentActor } from '../access/current-actor.decorator.js';
import { ApiZodBody, ApiZodQuery } from '../common/openapi.js';
import { type PageQuery, pageQuerySchema } from '../common/paging.js';
import { ZodPipe } from '../common/zod.pipe.js';
import { EvaluationRunsService } from './evaluation-runs.service.js';
import {
  type AsOfQuery, asOfQuerySchema, type CreateRun, createRunSchema, type LatestQuery, latestQuerySchema,
} from './evaluation.schema.js';
import { ProgressService } from './progress.service.js';
import { Returns } from '../contract/returns.js';

@ApiTags('evaluations 评估')
@ApiBearerAuth()
@Controller()
export class EvaluationsController {
  constructor(
    private readonly progress: ProgressService,
    private readonly runs: EvaluationRunsService,
  ) {}

  @Get('targets/:code/evaluation')
  @ApiZodQuery(asOfQuerySchema)
  @Returns('Evaluation')
  evaluation(@Param('code') code: string, @Query(new ZodPipe(asOfQuerySchema)) query: AsOfQuery) {
    return this.progress.evaluateNow(code, query.asOf);
  }

  @Get('evaluations/latest')
  @ApiZodQuery(latestQuerySchema)
  @Returns('EvaluationPage')
  latest(@Query(new ZodPipe(latestQuerySchema)) query: LatestQuery) {
    return this.progress.latest(query);
  }

  @Post('evaluations/runs')
  @HttpCode(202)
  @ApiZodBody(createRunSchema)
  @Returns('RunAccepted', 202)
  startRun(@CurrentActor() actor: Actor, @Body(new ZodPipe(createRunSchema)) body: CreateRun) {
    return this.runs.start(actor, 'manual', body.asOf);
  }

  @Get('evaluations/runs')
  @ApiZodQuery(pageQuerySchema)
  @Returns('RunPage')
  listRuns(@Query(new ZodPipe(pageQuerySchema)) query: PageQuery) {
    return this.runs.list(query);
  }

  @Get('evaluations/runs/:id')
  @Returns('Run')
  getRun(@Param('id') id: string) {
    return this.runs.get(id);
  }

  @Get('evaluations/runs/:id/evaluations')
  @ApiZodQuery(pageQuerySchema)
  @Returns('EvaluationPage')
  async runResults(@Param('id') id: string, @Query(new ZodPipe(pageQuerySchema)) query: PageQuery) {
    await this.runs.get(id);
    return this.progress.runResults(id, query.page, query.pageSize);
  }
}
