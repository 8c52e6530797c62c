import { Injectable } from '@nestjs/common';
import type { Tx } from '../database/transactions.js';

/** The digest run's own lock; its reads and writes are the alerts', recipients' and outbox's stores'. */
@Injectable()
export class DigestStore {
  /** One digest at a time: held until the transaction ends. */
  async lockRun(tx: Tx): Promise<void> {
    await tx.query('SELECT pg_advisory_xact_lock(7471103)');
  }
}
