import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Tx } from '../database/transactions.js';

/** reevaluation_requests: a row per target whose figures changed since its last re-evaluation. */
@Injectable()
export class ReevaluationStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Adds or renews the requests of the targets, in the caller's transaction. */
  async record(tx: Tx, targetIds: readonly number[]): Promise<void> {
    // Sorted, so two writers lock the rows in the same order. clock_timestamp() in the update is read
    // after a concurrent writer's row lock is released: a newer request always gets a newer time.
    await tx.query(
      `INSERT INTO reevaluation_requests (target_id)
       SELECT DISTINCT id FROM unnest($1::int[]) AS id ORDER BY id
       ON CONFLICT (target_id) DO UPDATE SET requested_at = clock_timestamp()`,
      [targetIds],
    );
  }

  /** When the target's request was made (as text, exact to the microsecond); undefined when there is none. */
  async requestedAt(targetId: number): Promise<string | undefined> {
    const [request]: { requested_at: string }[] = await this.dataSource.query(
      `SELECT requested_at::text FROM reevaluation_requests WHERE target_id = $1`, [targetId],
    );
    return request?.requested_at;
  }

  /** Deletes the request made at `requestedAt`; false when a newer one replaced it. */
  async settle(tx: Tx, targetId: number, requestedAt: string): Promise<boolean> {
    const deleted: unknown[] = await tx.query(
      `DELETE FROM reevaluation_requests WHERE target_id = $1 AND requested_at = $2::timestamptz RETURNING target_id`,
      [targetId, requestedAt],
    );
    return deleted.length > 0;
  }

  /** Up to `limit` waiting requests' targets after `after`, by id. */
  async waitingAfter(after: number, limit: number): Promise<number[]> {
    const rows: { target_id: number }[] = await this.dataSource.query(
      `SELECT target_id FROM reevaluation_requests WHERE target_id > $1 ORDER BY target_id LIMIT ${limit}`, [after],
    );
    return rows.map((r) => r.target_id);
  }
}
