import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { FastifyReply } from 'fastify';
import { can, type Permission } from '../auth/permissions.js';
import type { Status } from '../evaluation/evaluation.types.js';
import {
  COLOUR_TEXT, type Colour, formatNumber, formatPercent, formatTime, ROLE_TEXT, STATUS_COLOUR, statusText,
} from './i18n.js';
import type { WebContext } from './web-context.js';

const VIEWS_DIR = fileURLToPath(new URL('./views/', import.meta.url));
const ASSETS_DIR = fileURLToPath(new URL('./assets/', import.meta.url));

/** A URL with a query string; empty values are left out. */
export function href(path: string, query: Record<string, string | number | boolean | null | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== null && value !== undefined && value !== '') params.set(key, String(value));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** What every template may use besides its own data. */
function helpers(ctx: WebContext) {
  const en = ctx.lang === 'en';
  return {
    ...ctx,
    num: (v: number | string | null | undefined, digits = 2) => formatNumber(ctx.lang, v, digits),
    pct: (v: number | string | null | undefined, digits = 1) => formatPercent(ctx.lang, v, digits),
    time: formatTime,
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
      ['app.css', 'app.js'].map((name) => [name, { body: readFileSync(ASSETS_DIR + name), type: types[name.split('.').pop()!] }]),
    );
  }

  render(view: string, ctx: WebContext, data: Record<string, unknown> = {}): string {
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
