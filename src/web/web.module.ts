import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { DashboardService } from './dashboard.service.js';
import { ChartsModule } from '../charts/charts.module.js';
import { FiguresModule } from '../figures/figures.module.js';
import { TargetsModule } from '../targets/targets.module.js';
import { DepartmentsModule } from '../departments/departments.module.js';
import { UsersModule } from '../users/users.module.js';
import { AdminIndexController } from './admin/admin-index.controller.js';
import { DepartmentPages } from './admin/department-pages.js';
import { AdminDepartmentsController } from './admin/admin-departments.controller.js';
import { AdminRecipientsController } from './admin/admin-recipients.controller.js';
import { AdminSilencesController } from './admin/admin-silences.controller.js';
import { AdminTargetsController } from './admin/admin-targets.controller.js';
import { AdminUsersController } from './admin/admin-users.controller.js';
import { DocumentReviewController } from './document-review.controller.js';
import { EntryController } from './entry.controller.js';
import { ExplanationsPageController } from './explanations-page.controller.js';
import { EvidencePageController, EvidencePages } from './evidence-page.controller.js';
import { EvidenceModule } from '../evidence/evidence.module.js';
import { EntryService } from './entry.service.js';
import { ImportsModule } from '../imports/imports.module.js';
import { PagesController } from './pages.controller.js';
import { ReportsModule } from '../reports/reports.module.js';
import { ReportsPageController } from './reports-page.controller.js';
import { ReviewController } from './review.controller.js';
import { SpreadsheetsController } from './spreadsheets.controller.js';
import { TargetPageController } from './target-page.controller.js';
import { TargetPageService } from './target-page.service.js';
import { Views } from './views.js';
import { CsrfTokens } from './web-context.js';
import { WebErrorFilter } from './web-error.filter.js';
import { CSRF_TOKENS, WebGuard } from './web.guard.js';

/** The planning office's pages, server-rendered over the same services as the API. */
@Module({
  imports: [TargetsModule, FiguresModule, ChartsModule, DepartmentsModule, UsersModule, ImportsModule, EvidenceModule, ReportsModule],
  controllers: [
    PagesController, EntryController, TargetPageController,
    AdminIndexController, AdminTargetsController, AdminDepartmentsController, AdminRecipientsController, AdminUsersController,
    AdminSilencesController, DocumentReviewController, SpreadsheetsController, EvidencePageController, ReviewController, ReportsPageController, ExplanationsPageController,
  ],
  providers: [
    { provide: Views, useFactory: (config: AppConfig) => new Views(config.production), inject: [APP_CONFIG] },
    { provide: CSRF_TOKENS, useFactory: (config: AppConfig) => new CsrfTokens(config.jwtSecret), inject: [APP_CONFIG] },
    WebGuard, WebErrorFilter, DashboardService, EntryService, TargetPageService, DepartmentPages, EvidencePages,
  ],
})
export class WebModule {}
