import { Module } from '@nestjs/common';
import { MetricsStore } from '../observability/metrics.store.js';
import { HealthController } from './health.controller.js';
import { HealthStore } from './health.store.js';

/** GET /health; and the store /metrics reads (src/app.ts registers that route on Fastify). */
@Module({ controllers: [HealthController], providers: [HealthStore, MetricsStore] })
export class HealthModule {}
