import { Inject, Injectable } from '@nestjs/common';
import { AlertNotifier } from '../alerts/alert-notifier.js';
import { AlertsStore } from '../alerts/alerts.store.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import type { Tx } from '../database/transactions.js';
import { renderBindingAlert } from './email-templates.js';
import { type OutboxMessage, OutboxService } from './outbox.service.js';
import { roleOf } from './recipients.js';
import { RecipientsStore } from './recipients.store.js';

/** The immediate 预警 email for each binding target that becomes flagged (not silenced), to its recipients. */
@Injectable()
export class BindingAlertsService implements AlertNotifier {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly outbox: OutboxService,
    private readonly alerts: AlertsStore,
    private readonly recipients: RecipientsStore,
  ) {}

  async bindingAlertsFlagged(tx: Tx, alertIds: number[], now: Date): Promise<number[]> {
    return this.outbox.add(tx, await this.bindingAlerts(tx, alertIds, now));
  }

  queueSends(outboxIds: number[]): Promise<void> {
    return this.outbox.queueSends(outboxIds);
  }

  private async bindingAlerts(tx: Tx, alertIds: number[], now: Date): Promise<OutboxMessage[]> {
    if (!alertIds.length) return [];
    const alerts = (await this.alerts.findBindingByIds(tx, alertIds)).filter((a) => !a.silenced);
    const recipients = await this.recipients.findEnabled(tx);
    return alerts.flatMap((a) => recipients.flatMap((r) => {
      const role = roleOf(r, a);
      if (!role) return [];
      const mail = renderBindingAlert({ lang: r.language, appUrl: this.config.appUrl, tz: this.config.scheduleTz, asOf: now, row: { ...a.row, role } });
      return [{ dedupeKey: `binding:${a.id}:${a.firingSince.toISOString()}:${r.id}`, recipient: r.email, reason: 'binding_alert' as const, ...mail }];
    }));
  }
}
