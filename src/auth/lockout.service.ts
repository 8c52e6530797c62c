import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DomainError } from '../common/domain-error.js';

export const MAX_FAILURES = 5;
export const LOCK_MINUTES = 15;

/**
 * Login lockout kept in PostgreSQL (shared by every api process, kept across restarts):
 * 5 failures within 15 minutes per account and per address lock that key for 15 minutes.
 */
@Injectable()
export class LockoutService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async assertOpen(keys: string[]): Promise<void> {
    const [row] = await this.dataSource.query(
      `SELECT ceil(extract(epoch FROM max(locked_until) - now()))::int AS seconds
         FROM login_failures WHERE key = ANY($1) AND locked_until > now()`,
      [keys],
    );
    if (row?.seconds > 0) {
      throw new DomainError(
        'locked',
        `登录失败次数过多，请 ${Math.ceil(row.seconds / 60)} 分钟后再试 (too many failed logins; try again later)`,
        [],
        { 'retry-after': String(row.seconds) },
      );
    }
  }

  async recordFailure(keys: string[]): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO login_failures (key, failures, window_started_at)
       SELECT k, 1, now() FROM unnest($1::text[]) AS k
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN login_failures.window_started_at < now() - make_interval(mins => $2)
                         THEN 1 ELSE login_failures.failures + 1 END,
         window_started_at = CASE WHEN login_failures.window_started_at < now() - make_interval(mins => $2)
                         THEN now() ELSE login_failures.window_started_at END`,
      [keys, LOCK_MINUTES],
    );
    await this.dataSource.query(
      `UPDATE login_failures SET locked_until = now() + make_interval(mins => $3), failures = 0, window_started_at = now()
        WHERE key = ANY($1) AND failures >= $2`,
      [keys, MAX_FAILURES, LOCK_MINUTES],
    );
  }

  async clear(keys: string[]): Promise<void> {
    await this.dataSource.query(`DELETE FROM login_failures WHERE key = ANY($1) AND (locked_until IS NULL OR locked_until <= now())`, [keys]);
  }
}
