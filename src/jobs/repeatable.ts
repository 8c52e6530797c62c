import type { Queue } from 'bull';
import { jobOptions } from './jobs.constants.js';

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
