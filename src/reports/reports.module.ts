import { Module } from '@nestjs/common';
import { ChartsModule } from '../charts/charts.module.js';
import { ReportStore } from './report.store.js';
import { ReportsController } from './reports.controller.js';
import { ReportsService } from './reports.service.js';

/** The quarterly 通报 (API; the page is in the web module). OutboxService and AuditService are global. */
@Module({
  imports: [ChartsModule],
  controllers: [ReportsController],
  providers: [ReportStore, ReportsService],
  exports: [ReportsService],
})
export class ReportsModule {}
