import { Body, Controller, Get, Inject, Param, Post, Query, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Decimal } from 'decimal.js';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/current-actor.decorator.js';
import { DomainError } from '../common/domain-error.js';
import { decimalValue, periodString } from '../common/values.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { latestPeriodEndedBy } from '../evaluation/periods.js';
import { type FigureWrite, FiguresService } from '../figures/figures.service.js';
import { type EntryRow, EntryService, type EntrySheet } from './entry.service.js';
import { href, Views } from './views.js';
import { Web, type WebContext } from './web-context.js';
import { WebErrorFilter } from './web-error.filter.js';
import { WebGuard } from './web.guard.js';

type RowErrors = Record<string, { value?: string; basis?: string; reason?: string; target?: string }>;
type Typed = Record<string, { value: string; basis: string; reason: string }>;

const field = (body: Record<string, unknown>, name: string): string => {
  const v = body[name];
  return typeof v === 'string' ? v.slice(0, 2000) : '';
};

/** What the form posted for each row, kept as typed so a failed save loses nothing. */
function typedValues(sheet: EntrySheet, body: Record<string, unknown>): Typed {
  return Object.fromEntries(sheet.rows.map((r) => [r.code, {
    value: field(body, `value.${r.code}`).trim(),
    basis: field(body, `basis.${r.code}`) || r.current?.basis || 'ytd',
    reason: field(body, `reason.${r.code}`).trim(),
  }]));
}

/** The rows to write: new or changed figures only, so saving an unchanged sheet writes nothing. */
export function figuresToWrite(sheet: EntrySheet, typed: Typed): { figures: FigureWrite[]; errors: RowErrors } {
  const figures: FigureWrite[] = [];
  const errors: RowErrors = {};
  for (const row of sheet.rows) {
    const input = typed[row.code];
    if (!input.value) continue;
    const parsed = decimalValue.safeParse(input.value.replace(/[,，\s]/g, ''));
    if (!parsed.success) {
      errors[row.code] = { value: parsed.error.issues[0]?.message ?? '不是有效数值 (not a number)' };
      continue;
    }
    const basis = row.kind === 'flow' && input.basis === 'period' ? 'period' : 'ytd';
    const current = row.current;
    const changed = !current || !new Decimal(current.value).eq(new Decimal(parsed.data)) || current.basis !== basis;
    if (!changed) continue;
    if (current && !input.reason) {
      errors[row.code] = { reason: '修改已报数据须填写原因 (a correction needs a reason)' };
      continue;
    }
    figures.push({
      target: row.code, period: sheet.period, value: parsed.data, basis, status: 'final',
      note: current?.note ?? null, source: '网页填报', reason: input.reason || null,
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
  ) {}

  /** The last quarter that has ended: what the office is reporting now. */
  @Get()
  current(@Query('p') picked: string | undefined, @Res() reply: FastifyReply) {
    const period = picked?.trim().toUpperCase() || latestPeriodEndedBy('quarterly', new Date(), this.config.scheduleTz);
    return reply.redirect(`/entry/${encodeURIComponent(period)}`, 303);
  }

  @Get(':period')
  async page(
    @Web() web: WebContext, @Param('period') period: string, @Query('department') department: string | undefined,
    @Query('saved') saved: string | undefined, @Res() reply: FastifyReply,
  ) {
    const sheet = await this.entry.sheet(web.actor!, this.period(period), department || null);
    const typed = Object.fromEntries(sheet.rows.map((r) => [r.code, { value: r.current?.value ?? '', basis: r.current?.basis ?? 'ytd', reason: '' }]));
    return this.render(reply, web, sheet, typed, {}, null, saved === undefined ? null : Number(saved) || 0);
  }

  @Post(':period')
  async save(
    @Web() web: WebContext, @Param('period') period: string, @Body() body: Record<string, unknown>, @Res() reply: FastifyReply,
  ) {
    const department = field(body, 'department') || null;
    const sheet = await this.entry.sheet(web.actor!, this.period(period), department);
    const typed = typedValues(sheet, body);
    const { figures, errors } = figuresToWrite(sheet, typed);
    if (Object.keys(errors).length) {
      return this.render(reply, web, sheet, typed, errors, web.t('有错误，未保存任何数据；请按提示修改后再保存。', 'Nothing was saved: correct the marked fields and save again.'), null, 422);
    }
    if (figures.length) {
      try {
        await this.figures.batch(web.actor!, figures);
      } catch (error) {
        if (!(error instanceof DomainError) || !['invalid', 'forbidden'].includes(error.code)) throw error;
        const byRow: RowErrors = {};
        for (const e of error.errors) {
          const m = /^figures\[(\d+)\]\.(\w+)$/.exec(e.path);
          const code = m ? figures[Number(m[1])]?.target : undefined;
          if (code) byRow[code] = { ...byRow[code], [m![2] === 'period' ? 'value' : m![2]]: e.message };
        }
        return this.render(reply, web, sheet, typed, byRow, error.message, null, error.code === 'forbidden' ? 403 : 422);
      }
    }
    return reply.redirect(href(`/entry/${sheet.period}`, { department: department ?? undefined, saved: figures.length }), 303);
  }

  private period(raw: string): string {
    const parsed = periodString.safeParse(raw);
    if (!parsed.success) throw new DomainError('invalid', `期间 ${raw} 格式不正确，应如 2025Q3 (period like 2025Q3)`, [{ path: 'period', message: parsed.error.issues[0].message }]);
    return parsed.data;
  }

  private render(
    reply: FastifyReply, web: WebContext, sheet: EntrySheet, typed: Typed, errors: RowErrors,
    failure: string | null, saved: number | null, status = 200,
  ) {
    const yoy = (row: EntryRow) => {
      const now = row.current?.value;
      const before = row.lastYear?.value;
      if (now === undefined || before === undefined || Number(before) === 0 || row.current!.basis !== row.lastYear!.basis) return null;
      return (Number(now) - Number(before)) / Math.abs(Number(before));
    };
    return this.views.send(reply, 'entry', web, {
      title: `${web.t('季度填报', 'Quarterly entry')} ${sheet.period}`, sheet, typed, errors, failure, saved, yoy,
      canPickDepartment: web.actor!.role === 'admin' || web.actor!.role === 'planner',
    }, status);
  }
}
