import { Global, Module } from '@nestjs/common';
import { ExplanationsController } from './explanations.controller.js';
import { ExplanationsService } from './explanations.service.js';
import { ExplanationsStore } from './explanations.store.js';

/** 情况说明 owed for flagged targets: the API, and the store the run's completion writes obligations with. */
@Global()
@Module({
  controllers: [ExplanationsController],
  providers: [ExplanationsService, ExplanationsStore],
  exports: [ExplanationsService, ExplanationsStore],
})
export class ExplanationsModule {}
