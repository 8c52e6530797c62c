import type { Tx } from '../database/transactions.js';

/**
 * Who hears of binding alerts that a reconcile flags: the notifications module provides it, so alert
 * state needs none of the email code that depends on it.
 */
export abstract class AlertNotifier {
  /** Writes the immediate emails for these alerts in the reconcile's transaction; returns the outbox ids. */
  abstract bindingAlertsFlagged(tx: Tx, alertIds: number[], now: Date): Promise<number[]>;
  /** Queues the sending of those emails once the transaction has committed. */
  abstract queueSends(outboxIds: number[]): Promise<void>;
}
