import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { SILENCED } from '../alerts/alert-rows.js';
import { loadRecipients, roleOf } from './recipients.js';
import { renderReminder } from './email-templates.js';
import { type OutboxMessage, OutboxService } from './outbox.service.js';
import { type Reminder, reminderFor } from './reminders.js';
import { Clock } from '../common/clock.js';

/**
 * Figure reminders before and after each period's due date (period end + grace days) to the
 * departments that owe the figure, until it is entered. Each phase of each figure is sent once.
 */
@Injectable()
export class RemindersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
  ) {}

  async run(now = this.clock.now()): Promise<{ emails: number }> {
    const targets = await this.dataSource.query(
      `SELECT t.id, t.code, t.name, t.frequency, t.grace_days, t.baseline_period, t.target_period, t.department_id,
              (SELECT coalesce(array_agg(sd.department_id), '{}') FROM target_supporting_departments sd WHERE sd.target_id = t.id) AS supporting,
              (SELECT coalesce(array_agg(f.period::text), '{}') FROM figures f WHERE f.target_id = t.id) AS periods
         FROM targets t WHERE t.archived_at IS NULL AND NOT ${SILENCED} ORDER BY t.code`,
    );
    const owed = targets.flatMap((t: Record<string, never>) => {
      const reminder = reminderFor(
        { targetId: t.id, frequency: t.frequency, graceDays: t.grace_days, baselinePeriod: t.baseline_period, targetPeriod: t.target_period, periodsWithFigures: t.periods },
        now,
        { tz: this.config.scheduleTz, daysBefore: this.config.reminderDaysBefore, repeatDays: Math.max(1, Math.round(this.config.alertRepeatMs / 86_400_000)) },
      );
      return reminder ? [{ target: t, reminder }] : [];
    }) as { target: Record<string, never>; reminder: Reminder }[];
    const recipients = await loadRecipients(this.dataSource);
    const messages: OutboxMessage[] = recipients.flatMap((r) => {
      const rows = owed.flatMap(({ target: t, reminder }) => {
        const role = roleOf({ ...r, subscriber: false }, { departmentId: t.department_id, supportingIds: t.supporting });
        if (!role) return [];
        const overdueDays = Math.floor((now.getTime() - reminder.due.getTime()) / 86_400_000);
        return [{ key: `${t.code}:${reminder.period}:${reminder.phase}`, code: t.code, name: t.name, period: reminder.period, due: reminder.due, overdueDays, role }];
      });
      if (!rows.length) return [];
      const key = createHash('sha256').update(rows.map((x) => x.key).sort().join(',')).digest('hex').slice(0, 32);
      const mail = renderReminder({ lang: r.language, appUrl: this.config.appUrl, recipientName: r.name, rows, tz: this.config.scheduleTz });
      return [{ dedupeKey: `reminder:${r.id}:${key}`, recipient: r.email, reason: 'reminder' as const, ...mail }];
    });
    const ids = await this.dataSource.transaction((m) => this.outbox.add(m, messages));
    await this.outbox.queueSends(ids);
    return { emails: ids.length };
  }
}
