import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Tx } from '../database/transactions.js';
import type { DigestExplanation } from './email-templates.js';

/** The digest run's own lock and the explanations it shows; its other reads and writes are the alerts', recipients' and outbox's stores'. */
@Injectable()
export class DigestStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Each target's explanation of its latest reporting quarter with one, by target code. */
  async latestExplanations(db: Tx | DataSource = this.dataSource): Promise<Map<string, DigestExplanation>> {
    const rows: (DigestExplanation & { code: string })[] = await db.query(
      `SELECT DISTINCT ON (x.target_id) t.code, x.period::text AS period, x.state, x.cause, x.measures
         FROM explanations x JOIN targets t ON t.id = x.target_id
        ORDER BY x.target_id, x.period DESC`,
    );
    return new Map(rows.map(({ code, ...x }) => [code, x]));
  }

  /** One digest at a time: held until the transaction ends. */
  async lockRun(tx: Tx): Promise<void> {
    await tx.query('SELECT pg_advisory_xact_lock(7471103)');
  }
}
