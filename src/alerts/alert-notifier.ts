import type { Tx } from '../database/transactions.js';

/** Who hears of flagged binding alerts; provided by notifications, so alert state needs no email code. */
export abstract class AlertNotifier {
  /** Writes the immediate emails for these alerts in the reconcile's transaction; returns the outbox ids. */
  abstract bindingAlertsFlagged(tx: Tx, alertIds: number[], now: Date): Promise<number[]>;
  /** Queues the sending of those emails once the transaction has committed. */
  abstract queueSends(outboxIds: number[]): Promise<void>;
}
