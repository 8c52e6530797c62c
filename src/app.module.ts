import { BullModule } from '@nestjs/bull';
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AlertsModule } from './alerts/alerts.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { ProblemFilter } from './common/problem.filter.js';
import type { AppConfig } from './config/config.js';
import { ConfigModule } from './config/config.module.js';
import { dataSourceOptions } from './database/data-source.js';
import { DepartmentsModule } from './departments/departments.module.js';
import { FiguresModule } from './figures/figures.module.js';
import { ExtractionModule } from './extraction/extraction.module.js';
import { HealthModule } from './health/health.module.js';
import { QueuesModule } from './jobs/queues.module.js';
import { ProgressModule } from './progress/progress.module.js';
import { TargetsModule } from './targets/targets.module.js';
import { UsersModule } from './users/users.module.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRoot(dataSourceOptions(config.databaseUrl)),
        BullModule.forRoot({ url: config.redisUrl, prefix: config.queuePrefix }),
        QueuesModule,
        AuditModule,
        AuthModule.register(config),
        UsersModule,
        ProgressModule.register(config.role),
        AlertsModule.register(config.role),
        DepartmentsModule,
        TargetsModule,
        FiguresModule,
        HealthModule,
        ExtractionModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ProblemFilter }],
    };
  }
}
