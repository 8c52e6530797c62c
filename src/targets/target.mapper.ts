import type { TargetDefinition } from '../evaluation/evaluation.types.js';
import type { Target } from './target.entity.js';
import type { TargetBody } from './target.schema.js';

/** A period and its value: the exact decimal as PostgreSQL stores it (`"2000.123456789012345"`), never a double. */
export interface PeriodValueJson { period: string; value: string }

export interface TargetJson {
  code: string;
  name: string;
  aliases: string[];
  unit: string;
  kind: Target['kind'];
  comparator: Target['comparator'];
  method: Target['method'];
  frequency: Target['frequency'];
  expectation: Target['expectation'];
  binding: boolean;
  department: string;
  departmentName: string;
  supporting: string[];
  category: string | null;
  baseline: PeriodValueJson | null;
  target: PeriodValueJson;
  milestones: PeriodValueJson[];
  graceDays: number;
  source: { document: string | null; quote: string | null; url: string | null };
  notes: string | null;
  archived: boolean;
  createdAt: string;
  updatedAt: string;
}

const byPeriod = <T extends { period: string }>(a: T, b: T) => (a.period < b.period ? -1 : a.period > b.period ? 1 : 0);

export function targetJson(t: Target): TargetJson {
  return {
    code: t.code,
    name: t.name,
    aliases: t.aliases ?? [],
    unit: t.unit,
    kind: t.kind,
    comparator: t.comparator,
    method: t.method,
    frequency: t.frequency,
    expectation: t.expectation,
    binding: t.binding,
    department: t.department.code,
    departmentName: t.department.name,
    supporting: (t.supporting ?? []).map((d) => d.code).sort(),
    category: t.category,
    baseline: t.baselinePeriod === null ? null : { period: t.baselinePeriod, value: t.baselineValue! },
    target: { period: t.targetPeriod, value: t.targetValue },
    milestones: [...(t.milestones ?? [])].sort(byPeriod).map((m) => ({ period: m.period, value: m.value })),
    graceDays: t.graceDays,
    source: { document: t.sourceDocument, quote: t.sourceQuote, url: t.sourceUrl },
    notes: t.notes,
    archived: t.archivedAt !== null,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  };
}

/** The stored target as the body it could have been created from (strings for exact values). */
export function targetBody(t: Target): TargetBody {
  return {
    name: t.name,
    aliases: t.aliases ?? [],
    unit: t.unit,
    kind: t.kind,
    comparator: t.comparator,
    method: t.method,
    frequency: t.frequency,
    expectation: t.expectation,
    binding: t.binding,
    department: t.department.code,
    supporting: (t.supporting ?? []).map((d) => d.code),
    category: t.category,
    baseline: t.baselinePeriod === null ? null : { period: t.baselinePeriod, value: t.baselineValue! },
    target: { period: t.targetPeriod, value: t.targetValue },
    milestones: (t.milestones ?? []).map((m) => ({ period: m.period, value: m.value })),
    graceDays: t.graceDays,
    source: t.sourceDocument === null && t.sourceQuote === null && t.sourceUrl === null
      ? null
      : { document: t.sourceDocument, quote: t.sourceQuote, url: t.sourceUrl },
    notes: t.notes,
  };
}

export interface DefinitionRow {
  kind: Target['kind'];
  comparator: Target['comparator'];
  method: Target['method'];
  frequency: Target['frequency'];
  expectation: Target['expectation'];
  baseline_period: string | null;
  baseline_value: string | null;
  target_period: string;
  target_value: string;
  grace_days: number;
  milestones: { period: string; value: string }[] | null;
}

/** Plain data for the pure rules, from a row of the set-based chunk query. */
export function definitionFromRow(r: DefinitionRow): TargetDefinition {
  return {
    kind: r.kind,
    comparator: r.comparator,
    method: r.method,
    frequency: r.frequency,
    expectation: r.expectation,
    baseline: r.baseline_period === null ? null : { period: r.baseline_period, value: Number(r.baseline_value) },
    target: { period: r.target_period, value: Number(r.target_value) },
    milestones: (r.milestones ?? []).map((m) => ({ period: m.period, value: Number(m.value) })),
    graceDays: r.grace_days,
  };
}
