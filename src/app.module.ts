import { BullModule } from '@nestjs/bull';
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, RouterModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AlertsModule } from './alerts/alerts.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { ETagInterceptor } from './common/etag.interceptor.js';
import { LocationInterceptor } from './common/location.interceptor.js';
import { ProblemFilter } from './common/problem.filter.js';
import type { AppConfig } from './config/config.js';
import { API_PREFIX } from './api-prefix.js';
import type { Clock } from './common/clock.js';
import { ConfigModule } from './config/config.module.js';
import { dataSourceOptions } from './database/data-source.js';
import { TransactionsModule } from './database/transactions.js';
import { DepartmentsModule } from './departments/departments.module.js';
import { FiguresModule } from './figures/figures.module.js';
import { EvidenceModule } from './evidence/evidence.module.js';
import { ExtractionModule } from './extraction/extraction.module.js';
import { HealthModule } from './health/health.module.js';
import { ImportsModule } from './imports/imports.module.js';
import { QueuesModule } from './jobs/queues.module.js';
import { ReportsModule } from './reports/reports.module.js';
import { EvaluationsModule } from './evaluations/evaluations.module.js';
import { ExplanationsModule } from './explanations/explanations.module.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { TargetsModule } from './targets/targets.module.js';
import { UsersModule } from './users/users.module.js';
import { WebModule } from './web/web.module.js';

/** The modules whose controllers make the JSON API: their routes live under /api/v1; pages do not. */
const API_MODULES = [
  AuthModule, UsersModule, AuditModule, EvaluationsModule, AlertsModule, NotificationsModule, DepartmentsModule, TargetsModule,
  FiguresModule, HealthModule, ExtractionModule, ImportsModule,
  EvidenceModule, ReportsModule, ExplanationsModule,
];

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, clock?: Clock): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config, clock),
        TypeOrmModule.forRoot({ ...dataSourceOptions(config.databaseUrl, [], config.replicaUrls), autoLoadEntities: true }),
        TransactionsModule,
        BullModule.forRoot({ url: config.redisUrl, prefix: config.queuePrefix }),
        QueuesModule,
        AuditModule,
        AuthModule.register(config),
        UsersModule,
        EvaluationsModule.register(config.role),
        AlertsModule.register(config.role),
        NotificationsModule.register(config.role),
        DepartmentsModule,
        TargetsModule,
        FiguresModule,
        HealthModule,
        ExtractionModule,
        ImportsModule,
        EvidenceModule,
        ReportsModule,
        ExplanationsModule,
        ...(config.role === 'worker' ? [] : [WebModule]),
        RouterModule.register(API_MODULES.map((module) => ({ path: API_PREFIX, module }))),
      ],
      providers: [
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_INTERCEPTOR, useClass: LocationInterceptor },
        { provide: APP_INTERCEPTOR, useClass: ETagInterceptor },
      ],
    };
  }
}
