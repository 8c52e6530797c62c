import { Body, Controller, Get, Inject, Param, Post, Query, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Decimal } from 'decimal.js';
import type { FastifyReply } from 'fastify';
import { Public } from '../access/current-actor.decorator.js';
import { DomainError } from '../common/domain-error.js';
import { parseNumberInput } from '../common/number-input.js';
import { periodString } from '../common/values.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { latestPeriodEndedBy } from '../evaluation/periods.js';
import { CORRECTION_NEEDS_REASON, type FigureWrite, FiguresService } from '../figures/figures.service.js';
import { type EntryRow, EntryService, type EntrySheet } from './entry.service.js';
import { formatPeriod, formatValue, localise, STATUS_COLOUR, statusText } from './i18n.js';
import { href, Views } from './views.js';
import { Web, type WebContext } from './web-context.js';
import { WebErrorFilter } from './web-error.filter.js';
import { WebGuard } from './web.guard.js';
import { Clock } from '../common/clock.js';

type RowErrors = Record<string, { value?: string; basis?: string; reason?: string; target?: string; warning?: string }>;
type Typed = Record<string, { value: string; basis: string; reason: string; confirm: boolean }>;

const field = (body: Record<string, unknown>, name: string): string => {
  const v = body[name];
  return typeof v === 'string' ? v.slice(0, 2000) : '';
};

const COMPARATOR_TEXT: Record<string, string> = { '>=': '≥', '>': '>', '<=': '≤', '<': '<' };

/** What the form posted for each row, kept as typed so a failed save loses nothing. */
function typedValues(sheet: EntrySheet, body: Record<string, unknown>): Typed {
  return Object.fromEntries(sheet.rows.map((r) => [r.code, {
    value: field(body, `value.${r.code}`).trim(),
    basis: field(body, `basis.${r.code}`) || r.current?.basis || 'ytd',
    reason: field(body, `reason.${r.code}`).trim(),
    confirm: field(body, `confirm.${r.code}`) === '1',
  }]));
}

/** Only new or changed figures, so saving an unchanged sheet writes nothing. */
export function figuresToWrite(sheet: EntrySheet, typed: Typed): { figures: FigureWrite[]; errors: RowErrors } {
  const figures: FigureWrite[] = [];
  const errors: RowErrors = {};
  for (const row of sheet.rows) {
    const input = typed[row.code];
    if (!input.value) continue;
    const parsed = parseNumberInput(input.value);
    if (!parsed.ok) {
      errors[row.code] = { value: parsed.message };
      continue;
    }
    const basis = row.kind === 'flow' && input.basis === 'period' ? 'period' : 'ytd';
    const current = row.current;
    const changed = !current || !new Decimal(current.value).eq(new Decimal(parsed.value)) || current.basis !== basis;
    if (!changed) continue;
    figures.push({
      target: row.code, period: sheet.period, value: parsed.value, basis, status: 'final',
      note: current?.note ?? null, source: '网页填报', reason: input.reason || null,
      ...(parsed.percent ? { percent: true } : {}), ...(input.confirm ? { confirm: true } : {}),
    });
  }
  return { figures, errors };
}

@ApiExcludeController()
@Public()
@UseGuards(WebGuard)
@UseFilters(WebErrorFilter)
@Controller('entry')
export class EntryController {
  constructor(
    private readonly views: Views,
    private readonly entry: EntryService,
    private readonly figures: FiguresService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** The last quarter that has ended: what the office is reporting now. */
  @Get()
  current(@Query('p') picked: string | undefined, @Res() reply: FastifyReply) {
    const period = picked?.trim().toUpperCase() || latestPeriodEndedBy('quarterly', this.clock.now(), this.config.scheduleTz);
    return reply.redirect(`/entry/${encodeURIComponent(period)}`, 303);
  }

  @Get(':period')
  async page(
    @Web() web: WebContext, @Param('period') period: string, @Query('department') department: string | undefined,
    @Query('saved') saved: string | undefined, @Query('submitted') submitted: string | undefined, @Res() reply: FastifyReply,
  ) {
    const sheet = await this.entry.sheet(web.actor!, this.period(period), department || null);
    const typed = Object.fromEntries(sheet.rows.map((r) => [r.code, { value: r.current?.value ?? '', basis: r.current?.basis ?? 'ytd', reason: '', confirm: false }]));
    return this.render(reply, web, sheet, typed, {}, null, saved === undefined ? null : Number(saved) || 0,
      200, submitted === undefined ? null : Number(submitted) || 0);
  }

  @Post(':period')
  async save(
    @Web() web: WebContext, @Param('period') period: string, @Body() body: Record<string, unknown>, @Res() reply: FastifyReply,
  ) {
    const department = field(body, 'department') || null;
    const sheet = await this.entry.sheet(web.actor!, this.period(period), department);
    const typed = typedValues(sheet, body);
    const { figures, errors } = figuresToWrite(sheet, typed);
    const markedFields = web.t('有错误，未保存任何数据；请按提示修改后再保存。', 'Nothing was saved: correct the marked fields and save again.');
    if (Object.keys(errors).length) return this.render(reply, web, sheet, typed, errors, markedFields, null, 422);
    let submitted = 0;
    if (figures.length) {
      try {
        submitted = (await this.figures.batch(web.actor!, figures, { correctionNeedsReason: true })).submitted ?? 0;
      } catch (error) {
        if (!(error instanceof DomainError) || !['invalid', 'forbidden'].includes(error.code)) throw error;
        const byRow: RowErrors = {};
        for (const e of error.errors) {
          const m = /^figures\[(\d+)\]\.(\w+)$/.exec(e.path);
          const code = m ? figures[Number(m[1])]?.target : undefined;
          if (!code) continue;
          const key = e.code === 'implausible' ? 'warning' : m![2] === 'period' ? 'value' : m![2];
          const seen = byRow[code]?.[key as keyof RowErrors[string]];
          byRow[code] = { ...byRow[code], [key]: seen ? `${seen}；${e.message}` : e.message };
        }
        const onlyWarnings = error.errors.every((e) => e.code === 'implausible');
        const failure = onlyWarnings
          ? web.t('有数值需要核对，未保存任何数据：确认无误请勾选“确认无误”后再保存。', 'Some values look mistyped; nothing was saved. Tick “confirmed” beside each to save them as they are.')
          : error.errors.every((e) => e.message === CORRECTION_NEEDS_REASON) ? markedFields : error.message;
        return this.render(reply, web, sheet, typed, byRow, failure, null, error.code === 'forbidden' ? 403 : 422);
      }
    }
    // under review (FIGURE_REVIEW): the figures wait for a planner, the statuses stay as they are
    const outcome = submitted ? { submitted } : { saved: figures.length };
    return reply.redirect(href(`/entry/${sheet.period}`, { department: department ?? undefined, ...outcome }), 303);
  }

  /** The statuses of the sheet's targets, for the page to show the new status once the re-evaluation is done. */
  @Get(':period/status')
  async status(
    @Web() web: WebContext, @Param('period') period: string, @Query('department') department: string | undefined, @Res() reply: FastifyReply,
  ) {
    const sheet = await this.entry.sheet(web.actor!, this.period(period), department || null);
    const rows = sheet.rows.map((r) => ({
      code: r.code, status: r.evaluation?.status ?? null, text: statusText(web.lang, r.evaluation?.status ?? null),
      colour: r.evaluation?.status ? STATUS_COLOUR[r.evaluation.status] : 'grey', pending: r.evaluation?.pending ?? false,
    }));
    return reply.header('cache-control', 'no-store').send({ period: sheet.period, rows });
  }

  private period(raw: string): string {
    const parsed = periodString.safeParse(raw);
    if (!parsed.success) throw new DomainError('invalid', `期间 ${raw} 格式不正确，应如 2025Q3 (period like 2025Q3)`, [{ path: 'period', message: parsed.error.issues[0].message }]);
    return parsed.data;
  }

  private render(
    reply: FastifyReply, web: WebContext, sheet: EntrySheet, typed: Typed, errors: RowErrors,
    failure: string | null, saved: number | null, status = 200, submitted: number | null = null,
  ) {
    const yoy = (row: EntryRow) => {
      const now = row.current?.value;
      const before = row.lastYear?.value;
      if (now === undefined || before === undefined || Number(before) === 0 || row.current!.basis !== row.lastYear!.basis) return null;
      return (Number(now) - Number(before)) / Math.abs(Number(before));
    };
    return this.views.send(reply, 'entry', web, {
      title: `${web.t('季度填报', 'Quarterly entry')} ${formatPeriod(web.lang, sheet.period)}`, sheet, typed, errors, failure, saved, submitted, yoy,
      loc: (message: string) => localise(web.lang, message),
      periodText: (p: string | null) => formatPeriod(web.lang, p),
      value: (v: number | string | null, unit: string) => formatValue(web.lang, v, unit),
      comparatorText: (c: string) => COMPARATOR_TEXT[c] ?? c,
      canPickDepartment: web.actor!.role === 'admin' || web.actor!.role === 'planner',
    }, status);
  }
}
