/**
 * Types of the pure seed data (departments and the article's targets).
 * The seeding code maps these onto entities; these files hold data only.
 */

export interface SeedDepartment {
  /** Uppercase ASCII code, e.g. ECON-INFO. */
  code: string;
  /** Name as the district writes it, e.g. 区经济信息委. */
  name: string;
  /** Contact emails for alerts and reminders (may be empty). */
  emails: string[];
}

export interface SeedPeriodValue {
  /** YYYY, YYYYQn or YYYY-MM. */
  period: string;
  /** Decimal string, e.g. "350", "2.5". */
  value: string;
}

export interface SeedTarget {
  /** ^[A-Z][A-Z0-9-]{1,39}$, e.g. DT-ENTERPRISES. */
  code: string;
  name: string;
  unit: string;
  kind: 'level' | 'flow';
  comparator: '>=' | '>' | '<=' | '<';
  method: 'linear' | 'cagr';
  frequency: 'quarterly' | 'monthly' | 'yearly';
  expectation: 'time' | 'seasonal';
  /** 约束性指标. */
  binding: boolean;
  /** Lead department code (牵头单位). */
  department: string;
  /** Supporting department codes (配合单位). */
  supporting: string[];
  category: string;
  baseline: SeedPeriodValue | null;
  target: SeedPeriodValue;
  milestones: SeedPeriodValue[];
  source: { document: string; quote: string; url: string | null };
  /** Chinese; states any deadline or measure the article does not give. */
  notes: string | null;
}
