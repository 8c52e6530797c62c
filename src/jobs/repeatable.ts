import type { Queue } from 'bull';
import { jobOptions } from './jobs.constants.js';
import { queueClient } from './redis.js';

export interface Schedule { name: string; jobId: string; cron: string; tz: string }

/**
 * Registers a Bull repeatable job. Its key derives from name, id, cron and zone, so any number of
 * workers registering it leave one schedule; one registered earlier with another cron or zone is removed.
 */
export async function scheduleRepeatable(queue: Queue, schedule: Schedule, backoffMs: number): Promise<void> {
  const { name, jobId, cron, tz } = schedule;
  for (const job of await queue.getRepeatableJobs()) {
    if (job.name === name && (job.cron !== cron || job.tz !== tz)) await queue.removeRepeatableByKey(job.key);
  }
  await queue.add(name, {}, { ...jobOptions(backoffMs), jobId, repeat: { cron, tz } });
}

/**
 * Re-runs `register` (idempotent) when Redis becomes ready again and every `everyMs`, so lost repeatable
 * jobs come back without restarting a worker. Returns the function that stops it.
 */
export function keepRegistered(queue: Queue, register: () => Promise<void>, onError: (error: Error) => void, everyMs: number): () => void {
  const client = queueClient(queue);
  const again = () => void register().catch(onError);
  client.on('ready', again);
  const timer = setInterval(again, everyMs).unref();
  return () => {
    client.off('ready', again);
    clearInterval(timer);
  };
}
