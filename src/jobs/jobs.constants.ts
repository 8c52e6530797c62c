/** Queue names, job names, ids and options in one leaf file: it imports nothing from the features. */
export const EVALUATION_QUEUE = 'evaluation';

export const EvaluationJob = {
  /** Fan a run out into chunk jobs. data: { runId } */
  run: 'run',
  /** Evaluate one id range of targets for a run. data: { runId, chunk, fromId, toId } */
  chunk: 'chunk',
  /** Re-evaluate one target after its figures changed. data: { targetId } */
  target: 'target',
  /** The repeatable cron job: creates a run and fans it out. data: {} */
  scheduled: 'scheduled',
} as const;

export const CRON_JOB_ID = 'evaluation-cron';

/** Evaluation jobs one process works on at once (a chunk holds its targets and figures in memory). */
export const EVALUATION_CONCURRENCY = 2;

export const NOTIFICATIONS_QUEUE = 'notifications';

export const NotificationJob = {
  /**
   * Update alert state from the latest evaluations: of a run's chunk's targets, of one target after its
   * re-evaluation, of every target without fromId/toId. data: { source, fromId?, toId? }
   */
  reconcile: 'reconcile',
  /** Send one outbox row. data: { outboxId } */
  send: 'send',
  /** The weekly digest (repeatable). data: {} */
  digest: 'digest',
  /** Figure reminders (repeatable). data: {} */
  reminders: 'reminders',
} as const;

export const NOTIFICATION_CRON_IDS = { digest: 'digest-cron', reminders: 'reminders-cron' } as const;

/** How long a request waits for a connected Redis to take a job it must answer for. */
export const QUEUE_ADD_TIMEOUT_MS = 2000;

/** A figure change waits this long so a burst of writes to one target costs one evaluation. */
export const REEVALUATION_DEBOUNCE_MS = 500;
/** A re-evaluation job evaluates its own target and up to this many other waiting ones in one pass. */
export const REEVALUATION_BATCH = 500;

export const jobIds = {
  run: (runId: string) => `run:${runId}`,
  chunk: (runId: string, chunk: number) => `run:${runId}:chunk:${chunk}`,
  target: (targetId: number) => `evaluate:${targetId}`,
  /** One id per target: a burst of re-evaluations of one target waiting to be reconciled is one job. */
  reconcileTarget: (targetId: number) => `reconcile:target:${targetId}`,
  /** A run's chunk reconciles the targets it evaluated, once. */
  reconcileChunk: (runId: string, chunk: number) => `reconcile:run:${runId}:chunk:${chunk}`,
  send: (outboxId: number | string) => `send:${outboxId}`,
};

/** Without fromId/toId (inclusive target ids), every target. */
export interface ReconcileJobData { source: string; fromId?: number; toId?: number; /** only these targets (a batch of re-evaluations) */ targetIds?: number[] }
export interface SendJobData { outboxId: number }

export interface RunJobData { runId: string }
export interface ChunkJobData { runId: string; chunk: number; fromId: number; toId: number }
export interface TargetJobData { targetId: number }

/** Exponential backoff with a ceiling, so mail goes within `cap` of an SMTP outage's end; on every queue. */
export const CAPPED_BACKOFF = 'capped-exponential';
export interface CappedBackoffOptions { delay: number; cap: number }
export const cappedBackoff = (attemptsMade: number, _error: Error, o: CappedBackoffOptions): number =>
  Math.min(o.cap, Math.round((2 ** attemptsMade - 1) * o.delay));
export const sendBackoff = (delay: number, cap: number) => ({ type: CAPPED_BACKOFF, options: { delay, cap } satisfies CappedBackoffOptions });

export function jobOptions(backoffMs: number) {
  return {
    attempts: 5,
    backoff: { type: 'exponential', delay: backoffMs },
    removeOnComplete: 1000,
    removeOnFail: 5000,
  } as const;
}
