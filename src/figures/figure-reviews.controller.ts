import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../access/actor.js';
import { CurrentActor } from '../access/current-actor.decorator.js';
import { ApiZodBody, ApiZodQuery } from '../common/openapi.js';
import { pageOf } from '../common/paging.js';
import { periodString } from '../common/values.js';
import { ZodPipe } from '../common/zod.pipe.js';
import { Returns } from '../contract/returns.js';
import { FigureReviewsService } from './figure-reviews.service.js';
import {
  type ApproveFigure, approveFigureSchema, type ApproveMany, approveManySchema, type ReturnFigure, returnFigureSchema,
  type ReviewQueryInput, reviewQuerySchema,
} from './review.schema.js';

/** 审核: the figures departments submitted, approved or returned by planners (FIGURE_REVIEW). */
@ApiTags('figures 实际值')
@ApiBearerAuth()
@Controller()
export class FigureReviewsController {
  constructor(private readonly reviews: FigureReviewsService) {}

  @Get('figure-reviews')
  @ApiZodQuery(reviewQuerySchema)
  @Returns('FigureSubmissionPage')
  async list(@CurrentActor() actor: Actor, @Query(new ZodPipe(reviewQuerySchema)) query: ReviewQueryInput) {
    const { page, pageSize, ...filter } = query;
    return pageOf(await this.reviews.list(actor, filter), { page, pageSize });
  }

  @Post('figure-reviews/approve')
  @HttpCode(200)
  @ApiZodBody(approveManySchema)
  @Returns('FigureApproval')
  approveMany(@CurrentActor() actor: Actor, @Body(new ZodPipe(approveManySchema)) body: ApproveMany) {
    return this.reviews.approveMany(actor, body.submissions, body.reason ?? null);
  }

  @Get('targets/:code/figures/:period/submission')
  @Returns('FigureSubmission')
  open(@CurrentActor() actor: Actor, @Param('code') code: string, @Param('period', new ZodPipe(periodString, ['period'])) period: string) {
    return this.reviews.open(actor, code, period);
  }

  @Post('targets/:code/figures/:period/approve')
  @HttpCode(200)
  @ApiZodBody(approveFigureSchema)
  @Returns('Figure')
  approve(
    @CurrentActor() actor: Actor, @Param('code') code: string, @Param('period', new ZodPipe(periodString, ['period'])) period: string,
    @Body(new ZodPipe(approveFigureSchema)) body: ApproveFigure,
  ) {
    return this.reviews.approve(actor, code, period, body?.reason ?? null);
  }

  @Post('targets/:code/figures/:period/return')
  @HttpCode(200)
  @ApiZodBody(returnFigureSchema)
  @Returns('FigureSubmission')
  return(
    @CurrentActor() actor: Actor, @Param('code') code: string, @Param('period', new ZodPipe(periodString, ['period'])) period: string,
    @Body(new ZodPipe(returnFigureSchema)) body: ReturnFigure,
  ) {
    return this.reviews.return(actor, code, period, body.reason);
  }
}
