import type { Queue } from 'bull';
import { jobOptions } from './jobs.constants.js';
import { queueClient } from './redis.js';

export interface Schedule { name: string; jobId: string; cron: string; tz: string }

/** Registers a repeatable job; its key is name+id+cron+zone, so many workers leave one schedule. */
export async function scheduleRepeatable(queue: Queue, schedule: Schedule, backoffMs: number): Promise<void> {
  const { name, jobId, cron, tz } = schedule;
  for (const job of await queue.getRepeatableJobs()) {
    if (job.name === name && (job.cron !== cron || job.tz !== tz)) await queue.removeRepeatableByKey(job.key);
  }
  await queue.add(name, {}, { ...jobOptions(backoffMs), jobId, repeat: { cron, tz } });
}

/** Re-runs `register` when Redis is ready again and every `everyMs`; returns the stopper. */
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
