import { type PipeTransform } from '@nestjs/common';
import { z } from 'zod';
import { type FieldError, invalid } from './domain-error.js';

z.config(z.locales.zhCN());

/** `figures[3].period` from ['figures', 3, 'period']. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

export function zodErrors(error: z.ZodError, prefix: readonly PropertyKey[] = []): FieldError[] {
  return error.issues.flatMap((issue): FieldError[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: formatPath([...prefix, ...issue.path, key]),
        message: `未知字段 (unknown field)`,
      }));
    }
    return [{ path: formatPath([...prefix, ...issue.path]), message: issue.message }];
  });
}

/** Validates and transforms one argument with a zod schema; failures become a 422 naming each field. */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(
    private readonly schema: S,
    private readonly path: readonly PropertyKey[] = [],
  ) {}

  transform(value: unknown): z.output<S> {
    // Depth first, before anything that recurses into the value (zod, the text check).
    const deep = tooDeep(value, this.path);
    if (deep !== null) throw invalid([{ path: deep, message: `嵌套超过 ${MAX_DEPTH} 层 (nested deeper than ${MAX_DEPTH} levels)` }]);
    const parsed = this.schema.safeParse(value ?? {});
    // Text PostgreSQL cannot store or that is no text: refused here, not as a 500 or a silent U+FFFD.
    const text = badText(value, [...this.path]);
    if (!parsed.success || text.length) {
      const errors = parsed.success ? [] : zodErrors(parsed.error, this.path);
      throw invalid([...errors, ...text.filter((n) => !errors.some((e) => e.path === n.path))]);
    }
    return parsed.data;
  }
}

/** Request bodies nest a few levels (a batch row is at 3); deeper is refused before it is walked. */
export const MAX_DEPTH = 32;

/** The path (from `prefix`) of the outermost field holding a value nested deeper than MAX_DEPTH, or null. */
function tooDeep(value: unknown, prefix: readonly PropertyKey[]): string | null {
  const stack: [unknown, number, PropertyKey | undefined][] = [[value, 0, undefined]];
  while (stack.length) {
    const [node, depth, top] = stack.pop()!;
    if (!node || typeof node !== 'object') continue;
    if (depth >= MAX_DEPTH) return formatPath(top === undefined ? prefix : [...prefix, top]);
    for (const [key, child] of Array.isArray(node) ? node.entries() : Object.entries(node)) {
      if (child && typeof child === 'object') stack.push([child, depth + 1, top ?? key]);
    }
  }
  return null;
}

/** Free-text fields that may hold several lines (\t, \n and \r allowed); every other string is one line. */
const MULTILINE = new Set(['notes', 'note', 'reason', 'quote', 'text', 'description', 'comment', 'explanation']);
const CONTROL = /[\p{Cc}\p{Cs}]/u;
const CONTROL_MULTILINE = /[^\P{Cc}\t\n\r]|\p{Cs}/u;

/** Whether a string is clean text for a field (`multiline`: one of MULTILINE): what the pipe lets through. */
export const isCleanText = (s: string, multiline: boolean): boolean => !(multiline ? CONTROL_MULTILINE : CONTROL).test(s);

/** What is wrong with a string as text: U+0000, a lone surrogate, a control character (the first found); null when fine. */
function textProblem(s: string, multiline: boolean): string | null {
  const m = (multiline ? CONTROL_MULTILINE : CONTROL).exec(s);
  if (!m) return null;
  const c = m[0];
  const code = `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  if (c === '\u0000') return '不得包含 NUL 字符 (must not contain U+0000)';
  if (/\p{Cs}/u.test(c)) return `含有不成对的 UTF-16 代理项 ${code} (contains a lone UTF-16 surrogate ${code})`;
  if (c === '\t' || c === '\n' || c === '\r') return `须为单行文字，不得含换行符或制表符 ${code} (must be one line: no line break or tab)`;
  return `不得包含控制字符 ${code} (must not contain the control character ${code})`;
}

/** Each string inside `value` (values and keys) that is no clean text, with its path and what is wrong. */
function badText(value: unknown, path: PropertyKey[]): FieldError[] {
  const out: FieldError[] = [];
  const check = (s: string, at: PropertyKey[]) => {
    const last = at.at(-1);
    const problem = textProblem(s, typeof last === 'string' && MULTILINE.has(last));
    if (problem) out.push({ path: formatPath(at), message: problem });
  };
  const stack: [unknown, PropertyKey[]][] = [[value, path]];
  while (stack.length) {
    const [node, at] = stack.pop()!;
    if (typeof node === 'string') check(node, at);
    else if (Array.isArray(node)) node.forEach((v, i) => stack.push([v, [...at, i]]));
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (textProblem(k, false)) check(k, [...at, k]);
        else stack.push([v, [...at, k]]);
      }
    }
  }
  return out.reverse();
}
