import { Decimal } from 'decimal.js';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

/** A JSON number a double cannot hold as written, put in its place so validation can refuse it. */
export class InexactNumber {
  constructor(readonly text: string) {}
}

/** The refusal of an inexact JSON number, naming it and what to send instead. */
export function inexactNumberMessage(n: InexactNumber): string {
  const text = n.text.length > 40 ? `${n.text.slice(0, 40)}…` : n.text;
  return `JSON 数值 ${text} 超出双精度浮点数能精确表示的范围（有效位数过多、过大或过小），请以十进制字符串发送，如 "12.5" ` +
    `(JSON number ${text} cannot be represented exactly as a double: send the value as a decimal string)`;
}

// Any field given an InexactNumber says why it was refused (a value field also names the decimal string).
z.config({ customError: (issue) => (issue.input instanceof InexactNumber ? inexactNumberMessage(issue.input) : undefined) });

// Only a number with 16 or more digits (a run of 16 digits and points) or an exponent can be inexact.
const MAYBE_INEXACT = /[0-9.]{16}|[0-9][eE]/;
const TOKENS = /"(?:[^"\\]|\\[\s\S])*"|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
const MARK = '\u0000inexact-number:';
const SIGNIFICANT = /[1-9]/;

/** Whether the double JSON.parse makes of a number token has exactly the token's decimal value. */
export function isExactJsonNumber(token: string): boolean {
  if (!/[eE]/.test(token)) {
    const digits = token.replace(/^-?0*\.?0*|\./g, '');
    if (digits.length <= 15 || !SIGNIFICANT.test(digits)) return true; // DBL_DIG: 15 digits survive a round trip
  }
  const n = Number(token);
  return Number.isFinite(n) && new Decimal(token).equals(new Decimal(String(n)));
}

/** The JSON text with every inexact number replaced by a marked string. */
export function markInexactNumbers(text: string): string {
  if (!MAYBE_INEXACT.test(text)) return text;
  let out = '';
  let from = 0;
  for (const m of text.matchAll(TOKENS)) {
    const token = m[0];
    if (token.charCodeAt(0) === 34 /* " */ || isExactJsonNumber(token)) continue;
    out += `${text.slice(from, m.index)}"\\u0000inexact-number:${token}"`;
    from = m.index + token.length;
  }
  return from === 0 ? text : out + text.slice(from);
}

/** The parsed body with each marked string turned into an InexactNumber (iteratively: bodies may nest deep). */
export function restoreInexactNumbers(value: unknown): unknown {
  const restore = (v: unknown) => (typeof v === 'string' && v.startsWith(MARK) ? new InexactNumber(v.slice(MARK.length)) : v);
  const stack: unknown[] = [value];
  while (stack.length) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        node[i] = restore(node[i]);
        if (typeof node[i] === 'object' && node[i] !== null) stack.push(node[i]);
      }
    } else if (typeof node === 'object' && node !== null && !(node instanceof InexactNumber)) {
      const record = node as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        record[key] = restore(record[key]);
        if (typeof record[key] === 'object' && record[key] !== null) stack.push(record[key]);
      }
    }
  }
  return restore(value);
}

type BodyParser = (request: unknown, body: string | Buffer, done: (error: Error | null, body?: unknown) => void) => void;

/** Fastify's JSON parser (prototype poisoning refused), keeping inexact numbers for validation to refuse. */
export function exactJsonParser(fastify: FastifyInstance, parse: BodyParser = fastify.getDefaultJsonParser('error', 'error') as BodyParser): BodyParser {
  return (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    const marked = markInexactNumbers(text);
    if (marked === text) {
      parse(request, text, done);
      return;
    }
    parse(request, marked, (error, parsed) => (error ? done(error) : done(null, restoreInexactNumbers(parsed))));
  };
}
