import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../access/actor.js';
import { CurrentActor } from '../access/current-actor.decorator.js';
import { assertCan } from '../access/permissions.js';
import { idParam } from '../common/id-param.js';
import { ApiZodBody, ApiZodQuery } from '../common/openapi.js';
import { type PageQuery, pageOf, pageQuerySchema } from '../common/paging.js';
import { ZodPipe } from '../common/zod.pipe.js';
import { Returns } from '../contract/returns.js';
import { DigestService } from './digest.service.js';
import {
  type CreateRecipient, createRecipientSchema, type NotificationsQuery, notificationsQuerySchema, previewQuerySchema,
  type UpdateRecipient, updateRecipientSchema,
} from './notifications.schema.js';
import { OutboxService } from './outbox.service.js';
import { RecipientsService } from './recipients.service.js';

/** The operation ids keep the names these routes were published under (docs/openapi.json and its clients). */
const published = (name: string) => ApiOperation({ operationId: `AlertsController_${name}`, summary: undefined });

@ApiTags('alerts 预警与通知')
@ApiBearerAuth()
@Controller()
export class NotificationsController {
  constructor(
    private readonly digests: DigestService,
    private readonly outbox: OutboxService,
    private readonly recipients: RecipientsService,
  ) {}

  @Get('notifications')
  @ApiZodQuery(notificationsQuerySchema)
  @Returns('NotificationPage')
  @published('notifications')
  notifications(@CurrentActor() actor: Actor, @Query(new ZodPipe(notificationsQuerySchema)) query: NotificationsQuery) {
    assertCan(actor, 'alerts.manage');
    return this.outbox.list(query);
  }

  @Get('digests/preview')
  @ApiZodQuery(previewQuerySchema)
  @Returns('DigestPreview')
  @published('preview')
  preview(@CurrentActor() actor: Actor, @Query(new ZodPipe(previewQuerySchema)) query: { recipient: string }) {
    return this.digests.preview(actor, query.recipient);
  }

  @Post('digests/run')
  @HttpCode(200)
  @Returns('DigestRun')
  @published('runDigest')
  runDigest(@CurrentActor() actor: Actor) {
    return this.digests.run(actor);
  }

  @Get('recipients')
  @ApiZodQuery(pageQuerySchema)
  @Returns('RecipientPage')
  @published('listRecipients')
  async listRecipients(@Query(new ZodPipe(pageQuerySchema)) query: PageQuery) {
    return pageOf(await this.recipients.list(), query);
  }

  @Post('recipients')
  @ApiZodBody(createRecipientSchema)
  @Returns('Recipient', 201)
  @published('createRecipient')
  createRecipient(@CurrentActor() actor: Actor, @Body(new ZodPipe(createRecipientSchema)) body: CreateRecipient) {
    return this.recipients.create(actor, body);
  }

  @Patch('recipients/:id')
  @ApiZodBody(updateRecipientSchema)
  @Returns('Recipient')
  @published('updateRecipient')
  updateRecipient(@CurrentActor() actor: Actor, @Param('id', idParam()) id: number, @Body(new ZodPipe(updateRecipientSchema)) body: UpdateRecipient) {
    return this.recipients.update(actor, id, body);
  }
}
