import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AppConfig } from '../config/config.js';
import { EvaluationRun } from './evaluation-run.entity.js';
import { EvaluationRunsService } from './evaluation-runs.service.js';
import { EvaluationRunsStore } from './evaluation-runs.store.js';
import { EvaluationProcessor } from './evaluation.processor.js';
import { EvaluationScheduler } from './evaluation.scheduler.js';
import { EvaluationStore } from './evaluation.store.js';
import { EvaluationsController } from './evaluations.controller.js';
import { OverviewStore } from './overview.store.js';
import { ProgressService } from './progress.service.js';
import { QueueShutdown } from './queue-shutdown.js';
import { ReevaluationService } from './reevaluation.service.js';
import { ReevaluationStore } from './reevaluation.store.js';
import { StoredEvaluationsStore } from './stored-evaluations.store.js';

/** load → evaluate() → persist; runs; and, in worker roles, the processor and the cron. */
@Module({})
export class EvaluationsModule {
  static register(role: AppConfig['role']): DynamicModule {
    const worker = role === 'worker' || role === 'all';
    return {
      module: EvaluationsModule,
      global: true,
      imports: [TypeOrmModule.forFeature([EvaluationRun])],
      controllers: role === 'worker' ? [] : [EvaluationsController],
      providers: [
        EvaluationStore, EvaluationRunsStore, ReevaluationStore, StoredEvaluationsStore, OverviewStore,
        EvaluationRunsService, ProgressService, ReevaluationService, QueueShutdown,
        ...(worker ? [EvaluationProcessor, EvaluationScheduler] : []),
      ],
      exports: [ReevaluationService, ProgressService, EvaluationRunsService, OverviewStore],
    };
  }
}
