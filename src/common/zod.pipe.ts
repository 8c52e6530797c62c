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
    if (!parsed.success) throw invalid(zodErrors(parsed.error, this.path));
    return parsed.data;
  }
}
