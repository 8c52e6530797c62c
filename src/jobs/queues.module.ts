import { BullModule, InjectQueue } from '@nestjs/bull';
import { Global, Module, type OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bull';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { CAPPED_BACKOFF, cappedBackoff, EVALUATION_QUEUE, NOTIFICATIONS_QUEUE } from './jobs.constants.js';
import { adoptConnections, clusterQueueOptions } from './redis.js';

/** Every queue, registered once; on a Redis Cluster each gets its own `createClient`, closed with it. */
@Global()
@Module({
  imports: [
    BullModule.registerQueueAsync(...[EVALUATION_QUEUE, NOTIFICATIONS_QUEUE].map((name) => ({
      name,
      inject: [APP_CONFIG],
      // Locks are renewed every half JOB_LOCK_MS; a lapsed one (dead worker) makes the job run again elsewhere.
      useFactory: (config: AppConfig) => ({
        ...clusterQueueOptions(config),
        settings: { lockDuration: config.jobLockMs, stalledInterval: config.jobLockMs, backoffStrategies: { [CAPPED_BACKOFF]: cappedBackoff } },
      }),
    }))),
  ],
  exports: [BullModule],
})
export class QueuesModule implements OnModuleInit {
  constructor(
    @InjectQueue(EVALUATION_QUEUE) private readonly evaluation: Queue,
    @InjectQueue(NOTIFICATIONS_QUEUE) private readonly notifications: Queue,
  ) {}

  onModuleInit(): void {
    adoptConnections(this.evaluation);
    adoptConnections(this.notifications);
  }
}
