import { BullModule } from '@nestjs/bull';
import { Global, Module } from '@nestjs/common';
import { EVALUATION_QUEUE, NOTIFICATIONS_QUEUE } from './jobs.constants.js';

/** Every queue, registered once; any module may inject them. */
@Global()
@Module({
  imports: [BullModule.registerQueue({ name: EVALUATION_QUEUE }, { name: NOTIFICATIONS_QUEUE })],
  exports: [BullModule],
})
export class QueuesModule {}
