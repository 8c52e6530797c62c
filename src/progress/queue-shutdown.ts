import { InjectQueue } from '@nestjs/bull';
import { type BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { EVALUATION_QUEUE } from '../jobs/jobs.constants.js';

/**
 * Closes the queue — stops taking jobs and waits for the active ones — before the database pool closes
 * (TypeORM closes it in onApplicationShutdown, which runs after this hook), so no job is cut mid-transaction.
 */
@Injectable()
export class QueueShutdown implements BeforeApplicationShutdown {
  constructor(@InjectQueue(EVALUATION_QUEUE) private readonly queue: Queue) {}

  async beforeApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
