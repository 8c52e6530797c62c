import { type DynamicModule, Module } from '@nestjs/common';
import { AlertNotifier } from '../alerts/alert-notifier.js';
import { ChartsModule } from '../charts/charts.module.js';
import type { AppConfig } from '../config/config.js';
import { DepartmentsModule } from '../departments/departments.module.js';
import { BindingAlertsService } from './binding-alerts.service.js';
import { DigestService } from './digest.service.js';
import { MailTransport } from './mail.transport.js';
import { NotificationsController } from './notifications.controller.js';
import { NotificationsProcessor } from './notifications.processor.js';
import { NotificationsScheduler } from './notifications.scheduler.js';
import { OutboxService } from './outbox.service.js';
import { RecipientsService } from './recipients.service.js';
import { RemindersService } from './reminders.service.js';
import { RemindersStore } from './reminders.store.js';
import { RecipientsStore } from './recipients.store.js';
import { OutboxStore } from './outbox.store.js';
import { DigestStore } from './digest.store.js';

/** Recipients, digests, reminders, binding-alert emails and the email outbox; the processor in worker roles. */
@Module({})
export class NotificationsModule {
  static register(role: AppConfig['role']): DynamicModule {
    const worker = role === 'worker' || role === 'all';
    return {
      module: NotificationsModule,
      global: true,
      imports: [DepartmentsModule, ChartsModule],
      controllers: role === 'worker' ? [] : [NotificationsController],
      providers: [
        DigestService, RemindersService, OutboxService, RecipientsService, MailTransport, BindingAlertsService,
        OutboxStore, RecipientsStore, DigestStore, RemindersStore,
        { provide: AlertNotifier, useExisting: BindingAlertsService },
        ...(worker ? [NotificationsProcessor, NotificationsScheduler] : []),
      ],
      exports: [OutboxService, RecipientsService, AlertNotifier],
    };
  }
}
