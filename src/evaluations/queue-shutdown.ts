import { InjectQueue } from '@nestjs/bull';
import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import { EVALUATION_QUEUE, NOTIFICATIONS_QUEUE } from '../jobs/jobs.constants.js';
import { queueConnected } from '../jobs/redis.js';

/** How long a stopping process waits for its active jobs (main.ts gives the whole shutdown 9.5 s). */
export const JOB_DRAIN_MS = 6000;

/** true when `work` settles by `deadline` (epoch ms), false otherwise; never rejects. */
async function settlesBy(deadline: number, work: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()))));
  try {
    return await Promise.race([work.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Stops taking jobs and drains the active ones before HTTP and the pool close, evaluation queue first (its
 *  jobs feed the notifications queue). Past JOB_DRAIN_MS a job is abandoned and re-run (all are idempotent). */
@Injectable()
export class QueueShutdown implements BeforeApplicationShutdown {
  private readonly logger = new Logger(QueueShutdown.name);

  constructor(
    @InjectQueue(EVALUATION_QUEUE) private readonly evaluation: Queue,
    @InjectQueue(NOTIFICATIONS_QUEUE) private readonly notifications: Queue,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    const deadline = Date.now() + JOB_DRAIN_MS;
    const queues = [this.evaluation, this.notifications];
    await settlesBy(deadline, Promise.all(queues.map((queue) => queue.pause(true, true))));
    for (const queue of queues) await this.close(queue, deadline);
  }

  private async close(queue: Queue, deadline: number): Promise<void> {
    // With Redis unreachable there is nothing to wait for: a job cannot be completed in Redis anyway.
    if (await settlesBy(deadline, queue.close(!queueConnected(queue)))) return;
    this.logger.warn(`queue ${queue.name}: jobs still active after ${JOB_DRAIN_MS} ms are left to another worker`);
    for (const client of queue.clients) client.disconnect();
  }
}
