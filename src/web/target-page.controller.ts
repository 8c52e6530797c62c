import { Controller, Get, Logger, Param, Query, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../access/current-actor.decorator.js';
import { ChartsService } from '../charts/charts.service.js';
import { FigureReviewsService } from '../figures/figure-reviews.service.js';
import { ProgressService } from '../evaluations/progress.service.js';
import { ExplanationsService } from '../explanations/explanations.service.js';
import { TargetsService } from '../targets/targets.service.js';
import { EvidencePages } from './evidence-page.controller.js';
import { TargetPageService } from './target-page.service.js';
import { Views } from './views.js';
import { Web, type WebContext } from './web-context.js';
import { WebErrorFilter } from './web-error.filter.js';
import { WebGuard } from './web.guard.js';

@ApiExcludeController()
@Public()
@UseGuards(WebGuard)
@UseFilters(WebErrorFilter)
@Controller('targets')
export class TargetPageController {
  private readonly logger = new Logger(TargetPageController.name);

  constructor(
    private readonly views: Views,
    private readonly targets: TargetsService,
    private readonly page: TargetPageService,
    private readonly progress: ProgressService,
    private readonly charts: ChartsService,
    private readonly evidencePages: EvidencePages,
    private readonly reviews: FigureReviewsService,
    private readonly explanations: ExplanationsService,
  ) {}

  @Get(':code')
  async show(@Web() web: WebContext, @Param('code') code: string, @Query() query: Record<string, unknown>, @Res() reply: FastifyReply) {
    const target = await this.targets.get(code); // 404 page when unknown
    const [details, now, chart, reviewSubmissions, explanations] = await Promise.all([
      this.page.load(code),
      this.progress.evaluateNow(code),
      // The page stays useful without its chart.
      this.charts.svgForTarget(code, { lang: web.lang, width: 1000, height: 380, title: '' }).catch((error: Error) => {
        this.logger.warn(`chart of ${code}: ${error.message}`);
        return null;
      }),
      this.reviews.openOfTarget(code), // figures awaiting review or returned (views/target-review.eta)
      this.explanations.forTarget(code),
    ]);
    const evidence = await this.evidencePages.section(web, code, query);
    return this.views.send(reply, 'target', web, { title: `${target.code} ${target.name}`, target, now, chart, reviewSubmissions, explanations, ...details!, evidence });
  }
}
