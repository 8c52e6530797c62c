import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../access/actor.js';
import { CurrentActor } from '../access/current-actor.decorator.js';
import { idParam } from '../common/id-param.js';
import { ApiZodBody, ApiZodQuery } from '../common/openapi.js';
import { type PageQuery, pageOf, pageQuerySchema } from '../common/paging.js';
import { ZodPipe } from '../common/zod.pipe.js';
import { type AlertsQuery, alertsQuerySchema, type CreateSilence, createSilenceSchema } from './alerts.schema.js';
import { AlertsService } from './alerts.service.js';
import { Returns, ReturnsNothing } from '../contract/returns.js';

@ApiTags('alerts 预警与通知')
@ApiBearerAuth()
@Controller()
export class AlertsController {
  constructor(
    private readonly alerts: AlertsService,
  ) {}

  @Get('alerts')
  @ApiZodQuery(alertsQuerySchema)
  @Returns('AlertPage')
  list(@Query(new ZodPipe(alertsQuerySchema)) query: AlertsQuery) {
    return this.alerts.list(query);
  }

  @Get('alerts/:id')
  @Returns('AlertDetail')
  get(@Param('id', idParam()) id: number) {
    return this.alerts.get(id);
  }

  @Get('silences')
  @ApiZodQuery(pageQuerySchema)
  @Returns('SilencePage')
  async silences(@Query(new ZodPipe(pageQuerySchema)) query: PageQuery) {
    return pageOf(await this.alerts.listSilences(), query);
  }

  @Post('silences')
  @ApiZodBody(createSilenceSchema)
  @Returns('Silence', 201)
  silence(@CurrentActor() actor: Actor, @Body(new ZodPipe(createSilenceSchema)) body: CreateSilence) {
    return this.alerts.createSilence(actor, body);
  }

  @Delete('silences/:id')
  @HttpCode(204)
  @ReturnsNothing()
  unsilence(@CurrentActor() actor: Actor, @Param('id', idParam()) id: number) {
    return this.alerts.deleteSilence(actor, id);
  }
}
