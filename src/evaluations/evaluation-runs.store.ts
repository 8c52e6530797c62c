import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { DataSource, Repository } from 'typeorm';
import { returned } from '../database/rows.js';
import type { Tx } from '../database/transactions.js';
import { EvaluationRun, type RunTrigger } from './evaluation-run.entity.js';

/** A chunk of a run: the active targets `from_id`..`to_id`, `n` of them. */
export interface ChunkRange { chunk: number; from_id: number; to_id: number; n: number }

/** evaluation_runs and evaluation_run_chunks. */
@Injectable()
export class EvaluationRunsStore {
  constructor(
    @InjectRepository(EvaluationRun) private readonly runs: Repository<EvaluationRun>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  insertQueued(tx: Tx, trigger: RunTrigger, asOf: Date): Promise<EvaluationRun> {
    return tx.save(this.runs.create({ trigger, state: 'queued', asOf, chunksDone: 0, counts: {} }));
  }

  findById(id: string): Promise<EvaluationRun | null> {
    return this.runs.findOneBy({ id });
  }

  /** Newest first. */
  listPage(skip: number, take: number): Promise<[EvaluationRun[], number]> {
    return this.runs.findAndCount({ order: { createdAt: 'DESC', id: 'ASC' }, skip, take });
  }

  /** Marks a queued or running run running; false when it is failed or completed. */
  async markRunning(runId: string): Promise<boolean> {
    const [run] = returned(await this.dataSource.query(
      `UPDATE evaluation_runs SET state = 'running', started_at = coalesce(started_at, clock_timestamp())
        WHERE id = $1 AND state IN ('queued', 'running') RETURNING id`,
      [runId],
    ));
    return !!run;
  }

  /** The active targets in id ranges of `chunkSize`, in order. */
  activeChunks(chunkSize: number): Promise<ChunkRange[]> {
    return this.dataSource.query(
      `SELECT chunk, min(id) AS from_id, max(id) AS to_id, count(*)::int AS n
         FROM (SELECT id, (row_number() OVER (ORDER BY id) - 1) / $1 AS chunk FROM targets WHERE archived_at IS NULL) t
        GROUP BY chunk ORDER BY chunk`,
      [chunkSize],
    );
  }

  async setTotals(runId: string, chunks: number, targets: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE evaluation_runs SET chunks_total = $2, targets_total = $3 WHERE id = $1`,
      [runId, chunks, targets],
    );
  }

  async stateOf(runId: string): Promise<{ state: EvaluationRun['state']; as_of: Date } | undefined> {
    const [run] = await this.dataSource.query(`SELECT state, as_of FROM evaluation_runs WHERE id = $1`, [runId]);
    return run;
  }

  /** Records the chunk done; false when it was already (a retry after the commit). */
  async claimChunk(tx: Tx, runId: string, chunk: number, targets: number): Promise<boolean> {
    const claimed = await tx.query(
      `INSERT INTO evaluation_run_chunks (run_id, chunk, targets) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING chunk`,
      [runId, chunk, targets],
    );
    return claimed.length > 0;
  }

  /** Counts the run's chunks done, and completes it with its counts by status when all are; its as-of when it did. */
  async finishIfDone(tx: Tx, runId: string): Promise<{ asOf: Date } | null> {
    const rows: { as_of: Date; state: string }[] = returned(await tx.query(
      `WITH done AS (SELECT count(*)::int AS n FROM evaluation_run_chunks WHERE run_id = $1)
       UPDATE evaluation_runs r SET chunks_done = done.n,
         state = CASE WHEN done.n >= r.chunks_total THEN 'completed' ELSE r.state END,
         finished_at = CASE WHEN done.n >= r.chunks_total THEN clock_timestamp() END,
         counts = CASE WHEN done.n >= r.chunks_total THEN coalesce(
           (SELECT jsonb_object_agg(status, n) FROM
             (SELECT status, count(*)::int AS n FROM evaluations WHERE run_id = $1 GROUP BY status) s), '{}')
           ELSE r.counts END
       FROM done WHERE r.id = $1 AND r.state = 'running'
       RETURNING r.as_of, r.state`,
      [runId],
    ));
    const [run] = rows;
    return run?.state === 'completed' ? { asOf: run.as_of } : null;
  }

  /** Fails a queued or running run. */
  async markFailed(runId: string, error: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE evaluation_runs SET state = 'failed', error = $2, finished_at = clock_timestamp()
        WHERE id = $1 AND state IN ('queued', 'running')`,
      [runId, error],
    );
  }
}
