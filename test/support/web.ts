import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import request from 'supertest';

export type WebAgent = ReturnType<typeof request.agent>;

/** The `_csrf` hidden field of a page's first form. */
export const csrfOf = (html: string): string =>
  /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? assert.fail('no _csrf field on the page');

/** GETs a page (must answer 200) and returns its form token. */
export async function csrf(agent: WebAgent, path: string): Promise<string> {
  const page = await agent.get(path);
  assert.equal(page.status, 200, `GET ${path} answered ${page.status}`);
  return csrfOf(page.text);
}

/** A browser-like client signed in through the login form: it keeps the session and CSRF cookies. */
export async function webLogin(server: Server | object, email: string, password: string): Promise<WebAgent> {
  const agent = request.agent(server as Server);
  const token = await csrf(agent, '/login');
  const res = await agent.post('/login').type('form').send({ _csrf: token, email, password, next: '/' });
  assert.equal(res.status, 303, `login of ${email} answered ${res.status}`);
  return agent;
}

/** URL-encoded as a browser sends a form: a list repeats its name (checkboxes), names are kept as written. */
export function formBody(fields: Record<string, string | string[] | undefined> | [string, string][]): string {
  const body = new URLSearchParams();
  const entries = Array.isArray(fields) ? fields : Object.entries(fields);
  for (const [name, value] of entries) for (const v of [value ?? []].flat()) body.append(name, v);
  return body.toString();
}

/** Posts a form the way a browser does, with the token from `page`. */
export async function postForm(agent: WebAgent, page: string, action: string, fields: Record<string, string | string[] | undefined>) {
  // The token first: superagent takes the jar's cookies when the request is created, and the GET may set
  // the CSRF cookie.
  const token = await csrf(agent, page);
  return agent.post(action).type('form').send(formBody({ _csrf: token, ...fields }));
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'", '#x2F': '/', '#96': '`', '#x60': '`', '#61': '=', '#x3D': '=' };
const unescape = (s: string) => s.replace(/&(#?\w+);/g, (all, name: string) => ENTITIES[name] ?? all);
const attr = (tag: string, name: string) => {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? unescape(m[1]) : null;
};

/**
 * What a browser would submit from the form with id `formId` (or the page's first form), before any
 * change: text inputs, ticked checkboxes, textareas and selected options. Enough for the pages' own forms.
 */
export function formFields(html: string, formId?: string): [string, string][] {
  const start = formId ? html.indexOf(`id="${formId}"`) : html.indexOf('<form');
  assert.ok(start >= 0, `no form ${formId ?? ''} on the page`);
  const form = html.slice(html.lastIndexOf('<form', start), html.indexOf('</form>', start));
  const fields: [string, string][] = [];
  for (const m of form.matchAll(/<input\b[^>]*>|<textarea\b[^>]*>([\s\S]*?)<\/textarea>|<select\b[^>]*>([\s\S]*?)<\/select>/g)) {
    const tag = m[0];
    const name = attr(tag, 'name');
    if (!name || / form="/.test(tag)) continue;
    if (tag.startsWith('<input')) {
      const type = attr(tag, 'type') ?? 'text';
      if ((type === 'checkbox' || type === 'radio') && !/\schecked\b/.test(tag)) continue;
      fields.push([name, attr(tag, 'value') ?? (type === 'checkbox' ? 'on' : '')]);
    } else if (tag.startsWith('<textarea')) {
      fields.push([name, unescape(m[1])]);
    } else {
      const options = [...m[2].matchAll(/<option\b([^>]*)>/g)];
      const chosen = options.find((o) => /\sselected\b/.test(o[1])) ?? options[0];
      if (chosen) fields.push([name, attr(chosen[0], 'value') ?? '']);
    }
  }
  return fields;
}
