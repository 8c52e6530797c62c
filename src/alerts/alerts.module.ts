import { type DynamicModule, Module } from '@nestjs/common';
import { ChartsModule } from '../charts/charts.module.js';
import type { AppConfig } from '../config/config.js';
import { DepartmentsModule } from '../departments/departments.module.js';
import { AlertsController } from './alerts.controller.js';
import { AlertsService } from './alerts.service.js';
import { DigestService } from './digest.service.js';
import { MailTransport } from './mail.transport.js';
import { NotificationsProcessor } from './notifications.processor.js';
import { NotificationsScheduler } from './notifications.scheduler.js';
import { OutboxService } from './outbox.service.js';
import { RecipientsService } from './recipients.service.js';
import { RemindersService } from './reminders.service.js';

/** Alert state, recipients, digests, reminders and the email outbox; the processor in worker roles. */
@Module({})
export class AlertsModule {
  static register(role: AppConfig['role']): DynamicModule {
    const worker = role === 'worker' || role === 'all';
    return {
      module: AlertsModule,
      global: true,
      imports: [DepartmentsModule, ChartsModule],
      controllers: role === 'worker' ? [] : [AlertsController],
      providers: [
        AlertsService, DigestService, RemindersService, OutboxService, RecipientsService, MailTransport,
        ...(worker ? [NotificationsProcessor, NotificationsScheduler] : []),
      ],
      exports: [AlertsService, OutboxService, RecipientsService],
    };
  }
}
