import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { sizedQuery } from '../database/prepared.store.js';
import type { Tx } from '../database/transactions.js';

/** reevaluation_requests: a row per target whose figures changed since its last re-evaluation. */
@Injectable()
export class ReevaluationStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Adds or renews the requests of the targets, in the caller's transaction. */
  async record(tx: Tx, targetIds: readonly number[]): Promise<void> {
    // Sorted, so two writers lock the rows in the same order. clock_timestamp() in the update is read
    // after a concurrent writer's row lock is released: a newer request always gets a newer time.
    await sizedQuery(tx, targetIds.length,
      `INSERT INTO reevaluation_requests (target_id)
       SELECT DISTINCT id FROM unnest($1::int[]) AS id ORDER BY id
       ON CONFLICT (target_id) DO UPDATE SET requested_at = clock_timestamp()`,
      [targetIds],
    );
  }

  /**
   * Locks, for the caller's transaction, this target's request and other waiting ones older than
   * `debounceMs`, up to `limit` in all, oldest first; rows another worker holds are skipped. Writers of a
   * claimed target wait for the transaction (their request then comes after the evaluation).
   */
  async claim(tx: Tx, targetId: number, limit: number, debounceMs: number): Promise<number[]> {
    const rows: { target_id: number }[] = await tx.query(
      `SELECT target_id FROM reevaluation_requests
        WHERE target_id = $1 OR requested_at <= clock_timestamp() - make_interval(secs => $3::float8 / 1000)
        ORDER BY target_id = $1 DESC, requested_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [targetId, limit, debounceMs],
    );
    return rows.map((r) => r.target_id).sort((a, b) => a - b);
  }

  /** Deletes the requests `claim` locked: their evaluations are written in the same transaction. */
  async settleClaimed(tx: Tx, targetIds: readonly number[]): Promise<void> {
    await tx.query(`DELETE FROM reevaluation_requests WHERE target_id = ANY($1::int[])`, [targetIds]);
  }

  /** Up to `limit` waiting requests' targets after `after`, by id. */
  async waitingAfter(after: number, limit: number): Promise<number[]> {
    const rows: { target_id: number }[] = await this.dataSource.query(
      `SELECT target_id FROM reevaluation_requests WHERE target_id > $1 ORDER BY target_id LIMIT ${limit}`, [after],
    );
    return rows.map((r) => r.target_id);
  }
}
