import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { FastifyReply } from 'fastify';
import { can, type Permission } from '../access/permissions.js';
import { href } from '../common/query-string.js';
import type { Status } from '../evaluation/evaluation.types.js';
import { DEFAULT_THRESHOLDS } from '../evaluation/rules.js';
import { FormErrors } from './form-errors.js';
import { behindText, colourReason, type ProgressFacts, streakText } from './progress-text.js';
import type { StatusStreak } from '../evaluations/overview.store.js';
import {
  COLOUR_TEXT, type Colour, fieldLabel, formatDate, formatDifference, formatDateTime, formatNumber, formatPercent, formatPeriod, formatValue,
  localise, ROLE_TEXT, STATUS_COLOUR, statusText,
} from './i18n.js';
import type { WebContext } from './web-context.js';

export { href };

const VIEWS_DIR = fileURLToPath(new URL('./views/', import.meta.url));
const ASSETS_DIR = fileURLToPath(new URL('./assets/', import.meta.url));

/** What every template may use besides its own data. */
function helpers(ctx: WebContext) {
  const en = ctx.lang === 'en';
  return {
    ...ctx,
    num: (v: number | string | null | undefined, digits = 2) => formatNumber(ctx.lang, v, digits),
    pct: (v: number | string | null | undefined, digits = 1) => formatPercent(ctx.lang, v, digits),
    /** a moment: 2026年12月5日 09:30 */
    time: (v: Date | string | null | undefined) => formatDateTime(ctx.lang, v),
    date: (v: Date | string | null | undefined) => formatDate(ctx.lang, v),
    period: (p: string | null | undefined) => formatPeriod(ctx.lang, p),
    /** a value with its unit, whole numbers for counts: 350家 */
    value: (v: number | string | null | undefined, unit: string | null | undefined, digits = 2) => formatValue(ctx.lang, v, unit, digits),
    /** a gap or lag: 19个百分点 for a % target */
    diff: (v: number | string | null | undefined, unit: string | null | undefined) => formatDifference(ctx.lang, v, unit),
    /** the gap to the goal; past it (a negative gap), how far beyond: 超出 50个 */
    gap: (v: number | null | undefined, unit: string | null | undefined) =>
      v !== null && v !== undefined && v < 0
        ? (en ? `${formatDifference(ctx.lang, -v, unit)} beyond` : `超出 ${formatDifference(ctx.lang, -v, unit)}`)
        : formatDifference(ctx.lang, v, unit),
    /** ≥ / ≤ rather than >= / <= */
    cmp: (c: string) => ({ '>=': '≥', '<=': '≤' })[c] ?? c,
    /** a service or validation message in the page's language */
    msg: (m: string | null | undefined) => localise(ctx.lang, m),
    /** a field path in words: 第1行 责任单位 */
    fieldLabel: (path: string | null | undefined) => fieldLabel(ctx.lang, path),
    streakText: (status: Status | null, streak: StatusStreak | null) => streakText(ctx.lang, status, streak),
    behindText: (f: ProgressFacts) => behindText(ctx.lang, f),
    colourReason: (f: ProgressFacts) => colourReason(ctx.lang, f),
    thresholds: DEFAULT_THRESHOLDS,
    statusText: (s: Status | null) => statusText(ctx.lang, s),
    colour: (s: Status | null): Colour => (s ? STATUS_COLOUR[s] : 'grey'),
    colourText: (c: Colour) => COLOUR_TEXT[c][en ? 1 : 0],
    roleText: (r: string) => ROLE_TEXT[r]?.[en ? 1 : 0] ?? r,
    can: (permission: Permission) => (ctx.actor ? can(ctx.actor, permission) : false),
    href,
  };
}

/** Server-side pages: eta templates with auto-escaping (`<%= %>` escapes; `<%~ %>` only for trusted HTML). */
export class Views {
  private readonly eta: Eta;
  readonly assets: Map<string, { body: Buffer; type: string }>;

  constructor(cache: boolean) {
    this.eta = new Eta({ views: VIEWS_DIR, autoEscape: true, cache, autoTrim: false });
    const types: Record<string, string> = { css: 'text/css; charset=utf-8', js: 'text/javascript; charset=utf-8' };
    this.assets = new Map(
      ['app.css', 'app.js', 'entry.js'].map((name) => [name, { body: readFileSync(ASSETS_DIR + name), type: types[name.split('.').pop()!] }]),
    );
  }

  render(view: string, ctx: WebContext, data: Record<string, unknown> = {}): string {
    for (const value of Object.values(data)) if (value instanceof FormErrors) value.lang = ctx.lang;
    return this.eta.render(view, { ...helpers(ctx), ...data });
  }

  send(reply: FastifyReply, view: string, ctx: WebContext, data: Record<string, unknown> = {}, status = 200): FastifyReply {
    return reply
      .status(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(this.render(view, ctx, data));
  }
}
