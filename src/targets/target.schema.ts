import { z } from 'zod';
import { decimalValue } from '../common/number-input.js';
import { pageParams } from '../common/paging.js';
import { periodString } from '../common/values.js';
import { departmentCode } from '../departments/department.schema.js';
import { parsePeriod, periodT } from '../evaluation/periods.js';

const periodValue = z.strictObject({ period: periodString, value: decimalValue });
const text = (max: number) => z.string().trim().max(max);

const fields = {
  name: text(200).min(1),
  /** other names the bureau's sheets use for the target (imports match 指标名称 against the name and these) */
  aliases: z.array(text(200).min(1)).max(20),
  unit: text(20).min(1),
  kind: z.enum(['level', 'flow']),
  comparator: z.enum(['>=', '>', '<=', '<']),
  method: z.enum(['linear', 'cagr']),
  frequency: z.enum(['quarterly', 'monthly', 'yearly']),
  expectation: z.enum(['time', 'seasonal']),
  binding: z.boolean(),
  department: departmentCode,
  supporting: z.array(departmentCode).max(20),
  category: text(100).nullable(),
  baseline: periodValue.nullable(),
  target: periodValue,
  milestones: z.array(periodValue).max(100),
  graceDays: z.number().int().min(0).max(366),
  source: z
    .strictObject({
      document: text(500).nullable().default(null),
      quote: text(5000).nullable().default(null),
      url: z.url({ protocol: /^https?$/, error: '链接须为 http(s) 地址 (an http(s) URL)' }).max(2000).nullable().default(null),
    })
    .nullable(),
  notes: text(5000).nullable(),
};

/** Cross-field rules shared by create and by update (checked on the merged result). */
function checkTarget(t: z.output<typeof targetBodySchema>, ctx: z.RefinementCtx): void {
  const deadline = periodT(t.target.period);
  if (t.baseline && deadline <= periodT(t.baseline.period)) {
    ctx.addIssue({ code: 'custom', path: ['target', 'period'], message: '目标期限须晚于基期 (deadline must be after the baseline)' });
  }
  const seen = new Set<string>();
  t.milestones.forEach((m, i) => {
    if (seen.has(m.period)) ctx.addIssue({ code: 'custom', path: ['milestones', i, 'period'], message: '阶段目标期间重复 (duplicate milestone period)' });
    seen.add(m.period);
    if (periodT(m.period) > deadline) ctx.addIssue({ code: 'custom', path: ['milestones', i, 'period'], message: '阶段目标不得晚于目标期限 (milestone after the deadline)' });
    if (t.kind === 'flow' && parsePeriod(m.period)?.kind !== 'year') {
      ctx.addIssue({ code: 'custom', path: ['milestones', i, 'period'], message: '流量指标的阶段目标为年度目标，期间格式为 YYYY (flow milestones are yearly: YYYY)' });
    }
  });
  if (t.supporting.includes(t.department)) {
    ctx.addIssue({ code: 'custom', path: ['supporting'], message: '配合单位不应包含牵头单位 (supporting must not repeat the lead department)' });
  }
}

const targetBodySchema = z.strictObject({
  name: fields.name,
  aliases: fields.aliases.default([]),
  unit: fields.unit,
  kind: fields.kind,
  comparator: fields.comparator,
  method: fields.method.default('linear'),
  frequency: fields.frequency.default('quarterly'),
  expectation: fields.expectation.default('time'),
  binding: fields.binding.default(false),
  department: fields.department,
  supporting: fields.supporting.default([]),
  category: fields.category.default(null),
  baseline: fields.baseline.default(null),
  target: fields.target,
  milestones: fields.milestones.default([]),
  graceDays: fields.graceDays.default(20),
  source: fields.source.default(null),
  notes: fields.notes.default(null),
});

/** A target's code: what `targetCode` accepts (also for fast paths that check a code without zod). */
export const TARGET_CODE = /^[A-Z][A-Z0-9-]{1,39}$/;

export const targetCode = z.string().regex(TARGET_CODE, '指标代码须为大写字母开头的 2–40 位大写字母、数字或连字符 (code: ^[A-Z][A-Z0-9-]{1,39}$)');

export const createTargetSchema = targetBodySchema.extend({ code: targetCode }).superRefine(checkTarget);
export type CreateTarget = z.output<typeof createTargetSchema>;
export type TargetBody = z.output<typeof targetBodySchema>;

/** PATCH: any subset of the fields (not the code); the merged target is then checked as a whole. */
export const updateTargetSchema = z.strictObject(
  Object.fromEntries(Object.entries(fields).map(([key, schema]) => [key, schema.optional()])) as {
    [K in keyof typeof fields]: z.ZodOptional<(typeof fields)[K]>;
  },
);
export type UpdateTarget = z.output<typeof updateTargetSchema>;
export const mergedTargetSchema = targetBodySchema.superRefine(checkTarget);

export const listTargetsSchema = z.strictObject({
  department: departmentCode.optional(),
  category: z.string().optional(),
  kind: fields.kind.optional(),
  binding: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  q: z.string().max(100).optional(),
  archived: z.enum(['true', 'false']).transform((v) => v === 'true').default(false),
  ...pageParams,
});
export type ListTargets = z.output<typeof listTargetsSchema>;
