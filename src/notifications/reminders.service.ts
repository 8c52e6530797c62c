import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { Transactions } from '../database/transactions.js';
import { roleOf } from './recipients.js';
import { RecipientsStore } from './recipients.store.js';
import { renderExplanationReminder, renderReminder } from './email-templates.js';
import { explanationPhase, explanationReminderKey } from './explanation-reminders.js';
import { type OutboxMessage, OutboxService } from './outbox.service.js';
import { type Reminder, reminderFor } from './reminders.js';
import { type ReminderTargetRow, RemindersStore } from './reminders.store.js';
import { Clock } from '../common/clock.js';

/** Figure reminders around each period's due date to the departments that owe it, and reminders of the 情况说明
 *  they owe; each phase sent once. */
@Injectable()
export class RemindersService {
  constructor(
    private readonly store: RemindersStore,
    private readonly recipientsStore: RecipientsStore,
    private readonly transactions: Transactions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
  ) {}

  async run(now = this.clock.now()): Promise<{ emails: number }> {
    const targets = await this.store.findUnsilencedTargets();
    const owed = targets.flatMap((t) => {
      const reminder = reminderFor(
        { targetId: t.id, frequency: t.frequency, graceDays: t.grace_days, baselinePeriod: t.baseline_period, targetPeriod: t.target_period, periodsWithFigures: t.periods },
        now,
        { tz: this.config.scheduleTz, daysBefore: this.config.reminderDaysBefore, repeatDays: Math.max(1, Math.round(this.config.alertRepeatMs / 86_400_000)) },
      );
      return reminder ? [{ target: t, reminder }] : [];
    }) as { target: ReminderTargetRow; reminder: Reminder }[];
    const recipients = await this.recipientsStore.findEnabled();
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
    messages.push(...(await this.explanationMessages(now)));
    const ids = await this.transactions.run((tx) => this.outbox.add(tx, messages));
    await this.outbox.queueSends(ids);
    return { emails: ids.length };
  }

  /** 情况说明 still owed (due or returned) near or past their due date: to the lead department's recipients, each phase once. */
  private async explanationMessages(now: Date): Promise<OutboxMessage[]> {
    const options = { tz: this.config.scheduleTz, daysBefore: this.config.reminderDaysBefore, repeatDays: Math.max(1, Math.round(this.config.alertRepeatMs / 86_400_000)) };
    const owed = (await this.store.findOwedExplanations()).flatMap((x) => {
      const phase = explanationPhase(x.due_at, now, options);
      return phase ? [{ x, key: explanationReminderKey(x, phase) }] : [];
    });
    if (!owed.length) return [];
    const recipients = await this.recipientsStore.findEnabled();
    return recipients.flatMap((r) => {
      const mine = owed.filter(({ x }) => r.department_id === x.department_id);
      if (!mine.length) return [];
      const key = createHash('sha256').update(mine.map((o) => o.key).sort().join(',')).digest('hex').slice(0, 32);
      const mail = renderExplanationReminder({
        lang: r.language, appUrl: this.config.appUrl, recipientName: r.name, tz: this.config.scheduleTz,
        rows: mine.map(({ x }) => ({
          code: x.code, name: x.name, period: x.period, due: x.due_at, overdueDays: Math.floor((now.getTime() - x.due_at.getTime()) / 86_400_000),
          returnedReason: x.state === 'returned' ? x.review_reason : null,
        })),
      });
      return [{ dedupeKey: `explanation-reminder:${r.id}:${key}`, recipient: r.email, reason: 'reminder' as const, ...mail }];
    });
  }
}
