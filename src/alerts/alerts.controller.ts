import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../access/actor.js';
import { CurrentActor } from '../access/current-actor.decorator.js';
import { assertCan } from '../access/permissions.js';
import { idParam } from '../common/id-param.js';
import { ApiZodBody, ApiZodQuery } from '../common/openapi.js';
import { type PageQuery, pageOf, pageQuerySchema } from '../common/paging.js';
import { ZodPipe } from '../common/zod.pipe.js';
import {
  type AlertsQuery, alertsQuerySchema, type CreateRecipient, createRecipientSchema, type CreateSilence, createSilenceSchema,
  type NotificationsQuery, notificationsQuerySchema, previewQuerySchema, type UpdateRecipient, updateRecipientSchema,
} from './alerts.schema.js';
import { AlertsService } from './alerts.service.js';
import { DigestService } from './digest.service.js';
import { OutboxService } from './outbox.service.js';
import { RecipientsService } from './recipients.service.js';
import { Returns, ReturnsNothing } from '../contract/returns.js';

@ApiTags('alerts 预警与通知')
@ApiBearerAuth()
@Controller()
export class AlertsController {
  constructor(
    private readonly alerts: AlertsService,
    private readonly digests: DigestService,
    private readonly outbox: OutboxService,
    private readonly recipients: RecipientsService,
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

  @Get('notifications')
  @ApiZodQuery(notificationsQuerySchema)
  @Returns('NotificationPage')
  notifications(@CurrentActor() actor: Actor, @Query(new ZodPipe(notificationsQuerySchema)) query: NotificationsQuery) {
    assertCan(actor, 'alerts.manage');
    return this.outbox.list(query);
  }

  @Get('digests/preview')
  @ApiZodQuery(previewQuerySchema)
  @Returns('DigestPreview')
  preview(@CurrentActor() actor: Actor, @Query(new ZodPipe(previewQuerySchema)) query: { recipient: string }) {
    return this.digests.preview(actor, query.recipient);
  }

  @Post('digests/run')
  @HttpCode(200)
  @Returns('DigestRun')
  runDigest(@CurrentActor() actor: Actor) {
    return this.digests.run(actor);
  }

  @Get('recipients')
  @ApiZodQuery(pageQuerySchema)
  @Returns('RecipientPage')
  async listRecipients(@Query(new ZodPipe(pageQuerySchema)) query: PageQuery) {
    return pageOf(await this.recipients.list(), query);
  }

  @Post('recipients')
  @ApiZodBody(createRecipientSchema)
  @Returns('Recipient', 201)
  createRecipient(@CurrentActor() actor: Actor, @Body(new ZodPipe(createRecipientSchema)) body: CreateRecipient) {
    return this.recipients.create(actor, body);
  }

  @Patch('recipients/:id')
  @ApiZodBody(updateRecipientSchema)
  @Returns('Recipient')
  updateRecipient(@CurrentActor() actor: Actor, @Param('id', idParam()) id: number, @Body(new ZodPipe(updateRecipientSchema)) body: UpdateRecipient) {
    return this.recipients.update(actor, id, body);
  }
}
