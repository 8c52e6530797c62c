import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { DashboardService } from './dashboard.service.js';
import { ChartsModule } from '../charts/charts.module.js';
import { FiguresModule } from '../figures/figures.module.js';
import { TargetsModule } from '../targets/targets.module.js';
import { DepartmentsModule } from '../departments/departments.module.js';
import { UsersModule } from '../users/users.module.js';
import { AdminController } from './admin.controller.js';
import { DocumentReviewController } from './document-review.controller.js';
import { EntryController } from './entry.controller.js';
import { EntryService } from './entry.service.js';
import { ImportsModule } from '../imports/imports.module.js';
import { PagesController } from './pages.controller.js';
import { SpreadsheetsController } from './spreadsheets.controller.js';
import { TargetPageController } from './target-page.controller.js';
import { TargetPageService } from './target-page.service.js';
import { Views } from './views.js';
import { CsrfTokens } from './web-context.js';
import { WebErrorFilter } from './web-error.filter.js';
import { CSRF_TOKENS, WebGuard } from './web.guard.js';

/** The planning office's pages, server-rendered over the same services as the API. */
@Module({
  imports: [TargetsModule, FiguresModule, ChartsModule, DepartmentsModule, UsersModule, ImportsModule],
  controllers: [PagesController, EntryController, TargetPageController, AdminController, DocumentReviewController, SpreadsheetsController],
  providers: [
    { provide: Views, useFactory: (config: AppConfig) => new Views(config.production), inject: [APP_CONFIG] },
    { provide: CSRF_TOKENS, useFactory: (config: AppConfig) => new CsrfTokens(config.jwtSecret), inject: [APP_CONFIG] },
    WebGuard, WebErrorFilter, DashboardService, EntryService, TargetPageService,
  ],
})
export class WebModule {}
