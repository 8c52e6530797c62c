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
    const parsed = this.schema.safeParse(value ?? {});
    // PostgreSQL's text and jsonb cannot hold U+0000: refused here, not as a failed INSERT (500).
    const nul = nulPaths(value, [...this.path]).map((path) => ({ path, message: '不得包含 NUL 字符 (must not contain U+0000)' }));
    if (!parsed.success || nul.length) {
      const errors = parsed.success ? [] : zodErrors(parsed.error, this.path);
      throw invalid([...errors, ...nul.filter((n) => !errors.some((e) => e.path === n.path))]);
    }
    return parsed.data;
  }
}

/** Paths of the strings (values or keys) inside `value` that contain U+0000. */
function nulPaths(value: unknown, path: PropertyKey[]): string[] {
  if (typeof value === 'string') return value.includes('\u0000') ? [formatPath(path)] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => nulPaths(v, [...path, i]));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => (k.includes('\u0000') ? [formatPath([...path, k])] : nulPaths(v, [...path, k])));
  }
  return [];
}
