import { Body, Controller, Get, Post, Query, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { assertCan } from '../access/permissions.js';
import { Public } from '../access/current-actor.decorator.js';
import { DomainError } from '../common/domain-error.js';
import { periodString } from '../common/values.js';
import { FigureReviewsService } from '../figures/figure-reviews.service.js';
import { queryText } from './admin/params.js';
import { formatPeriod, localise } from './i18n.js';
import { href, Views } from './views.js';
import { Web, type WebContext } from './web-context.js';
import { WebErrorFilter } from './web-error.filter.js';
import { WebGuard } from './web.guard.js';

const field = (body: Record<string, unknown>, name: string, max = 2000): string => {
  const v = body[name];
  return typeof v === 'string' ? v.slice(0, max).trim() : '';
};

/** The queue's filters as the form has them (an invalid period is ignored). */
function filters(department: unknown, period: unknown) {
  const d = queryText(department, 40).trim();
  const p = queryText(period, 10).trim().toUpperCase();
  return { department: d || null, period: p && periodString.safeParse(p).success ? p : null, typedPeriod: p };
}

/** 审核: the planner's queue of figures departments submitted (FIGURE_REVIEW), approved all at once or returned one by one. */
@ApiExcludeController()
@Public()
@UseGuards(WebGuard)
@UseFilters(WebErrorFilter)
@Controller('review')
export class ReviewController {
  constructor(private readonly views: Views, private readonly reviews: FigureReviewsService) {}

  @Get()
  async page(
    @Web() web: WebContext, @Query() q: Record<string, unknown>, @Res() reply: FastifyReply,
  ) {
    assertCan(web.actor!, 'figures.review');
    return this.render(reply, web, filters(q.department, q.period), { done: queryText(q.done, 20), count: Number(queryText(q.n, 10)) || 0 });
  }

  @Post('approve')
  async approve(@Web() web: WebContext, @Body() body: Record<string, unknown>, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'figures.review');
    const f = filters(body.department, body.period);
    const ids = field(body, 'submissions', 200_000).split(',').filter((s) => /^\d{1,15}$/.test(s)).map(Number);
    if (!ids.length) return this.render(reply, web, f, { failure: web.t('没有待审核的填报 (nothing to approve)', 'Nothing to approve') }, 422);
    try {
      const { approved } = await this.reviews.approveMany(web.actor!, ids, field(body, 'reason') || null);
      return reply.redirect(href('/review', { department: f.department ?? undefined, period: f.period ?? undefined, done: 'approved', n: approved }), 303);
    } catch (error) {
      return this.failed(reply, web, f, error);
    }
  }

  @Post('return')
  async return(@Web() web: WebContext, @Body() body: Record<string, unknown>, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'figures.review');
    const f = filters(body.department, body.period);
    try {
      await this.reviews.return(web.actor!, field(body, 'target', 40), field(body, 'figurePeriod', 10), field(body, 'reason') || null);
      return reply.redirect(href('/review', { department: f.department ?? undefined, period: f.period ?? undefined, done: 'returned', n: 1 }), 303);
    } catch (error) {
      return this.failed(reply, web, f, error);
    }
  }

  private failed(reply: FastifyReply, web: WebContext, f: ReturnType<typeof filters>, error: unknown) {
    if (!(error instanceof DomainError) || !['invalid', 'conflict', 'not_found'].includes(error.code)) throw error;
    const detail = error.errors.map((e) => e.message).join('；') || error.message;
    const status = error.code === 'invalid' ? 422 : error.code === 'conflict' ? 409 : 404;
    return this.render(reply, web, f, { failure: detail }, status);
  }

  private async render(
    reply: FastifyReply, web: WebContext, f: ReturnType<typeof filters>,
    flash: { done?: string; count?: number; failure?: string }, status = 200,
  ) {
    const [submissions, departments] = await Promise.all([
      this.reviews.list(web.actor!, { department: f.department, period: f.period }),
      this.reviews.departments(),
    ]);
    return this.views.send(reply, 'review', web, {
      title: web.t('审核', 'Review'), submissions, departments, filter: f,
      pendingIds: submissions.filter((s) => s.state === 'pending').map((s) => s.id).join(','),
      done: flash.done ?? '', count: flash.count ?? 0, failure: flash.failure ?? null,
      loc: (message: string) => localise(web.lang, message),
      periodText: (p: string | null) => formatPeriod(web.lang, p),
    }, status);
  }
}
