import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiZodBody } from '../common/openapi.js';
import { ZodPipe } from '../common/zod.pipe.js';
import { type BatchFigures, batchFiguresSchema, periodParam, type PutFigure, putFigureSchema } from './figure.schema.js';
import { FiguresService } from './figures.service.js';

@ApiTags('figures 实际值')
@Controller()
export class FiguresController {
  constructor(private readonly figures: FiguresService) {}

  @Get('targets/:code/figures')
  list(@Param('code') code: string) {
    return this.figures.list(code);
  }

  @Put('targets/:code/figures/:period')
  @ApiZodBody(putFigureSchema)
  put(
    @Param('code') code: string,
    @Param('period', new ZodPipe(periodParam, ['period'])) period: string,
    @Body(new ZodPipe(putFigureSchema)) body: PutFigure,
  ) {
    return this.figures.put({ ...body, target: code, period }, null);
  }

  @Get('targets/:code/figures/:period')
  get(@Param('code') code: string, @Param('period', new ZodPipe(periodParam, ['period'])) period: string) {
    return this.figures.get(code, period);
  }

  @Get('targets/:code/figures/:period/revisions')
  revisions(@Param('code') code: string, @Param('period', new ZodPipe(periodParam, ['period'])) period: string) {
    return this.figures.revisions(code, period);
  }

  @Post('figures/batch')
  @HttpCode(200)
  @ApiZodBody(batchFiguresSchema)
  batch(@Body(new ZodPipe(batchFiguresSchema)) body: BatchFigures) {
    return this.figures.batch(body.figures, null);
  }
}
