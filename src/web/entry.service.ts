import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Actor } from '../access/actor.js';
import { can, forbidden } from '../access/permissions.js';
import { notFound } from '../common/domain-error.js';
import type { Status } from '../evaluation/evaluation.types.js';
import { expectedAt } from '../evaluation/expected.js';
import { currentFigures } from '../evaluation/figures.js';
import { frequencyOf, nextPeriod, previousPeriod } from '../evaluation/periods.js';
import { DEFAULT_TZ } from '../evaluation/rules.js';
import { comparisonPeriods } from '../figures/plausibility.js';
import { definitionFromRow } from '../targets/target.mapper.js';

export interface EntryRow {
  code: string; name: string; unit: string; kind: 'level' | 'flow'; department: string; departmentName: string;
  /** this period's figure, if entered */
  current: { value: string; basis: string; note: string | null; recordedBy: string | null; recordedAt: Date } | null;
  previous: { period: string; value: string; basis: string } | null;
  lastYear: { period: string; value: string; basis: string } | null;
  /** the goal: comparator, value and deadline */
  goal: { comparator: string; value: string; period: string };
  /** 应达值: what the rules expect by the end of this period, if anything */
  expected: number | null;
  /** the latest evaluation, and whether it is older than this period's figure (a re-evaluation is pending) */
  evaluation: { status: Status; period: string | null; pending: boolean } | null;
  /** this department leads the target (else it supports it) */
  lead: boolean;
}

export interface EntrySheet {
  period: string;
  previousPeriod: string;
  nextPeriod: string;
  /** null for the first year periods can have */
  lastYearPeriod: string | null;
  department: { code: string; name: string } | null;
  departments: { code: string; name: string }[];
  rows: EntryRow[];
}

/** Every figure of a period that fits counts, whenever it was recorded and whenever its period ends. */
const END_OF_TIME = new Date(8.64e15);

/** The quarterly entry sheet: the targets an actor may write for a period, with the figures beside them. */
@Injectable()
export class EntryService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Admins and planners see every department (or the one they pick); a department user sees the
   * targets its department leads or supports, and may not open another department's sheet.
   */
  async sheet(actor: Actor, period: string, departmentCode: string | null): Promise<EntrySheet> {
    const departments: { id: number; code: string; name: string }[] = await this.dataSource.query(
      `SELECT id, code, name FROM departments ORDER BY code`,
    );
    let department = departmentCode ? departments.find((d) => d.code === departmentCode) ?? null : null;
    if (departmentCode && !department) throw notFound(`责任单位 ${departmentCode}`, 'department');
    if (!can(actor, 'figures.write.any')) {
      const own = departments.find((d) => d.id === actor.departmentId) ?? null;
      if (!own) throw forbidden('当前账号不属于任何责任单位，不能填报 (this account belongs to no department)');
      if (department && department.id !== own.id) {
        throw forbidden(`无权查看或填报 ${department.name} 的数据 (not your department)`, 'department');
      }
      department = own;
    }
    const previous = previousPeriod(period);
    const lastYear = comparisonPeriods(period).lastYear;
    // The target's definition and figures (a sheet has tens of targets) for its 应达值, the latest evaluation for its status.
    const rows = await this.dataSource.query(
      `SELECT t.code, t.name, t.unit, t.kind, d.code AS department, d.name AS department_name, t.department_id,
              t.comparator, t.method, t.frequency, t.expectation, t.baseline_period, t.baseline_value::text,
              t.target_period, t.target_value::text, t.grace_days,
              (SELECT json_agg(json_build_object('period', m.period, 'value', m.value::text)) FROM milestones m WHERE m.target_id = t.id) AS milestones,
              (SELECT json_agg(json_build_object('period', f.period, 'value', f.value::text, 'basis', f.basis))
                 FROM figures f WHERE f.target_id = t.id AND f.period <> $1) AS figures,
              c.value::text AS c_value, c.basis AS c_basis, c.note AS c_note, r.recorded_by AS c_by, c.recorded_at AS c_at,
              p.value::text AS p_value, p.basis AS p_basis, y.value::text AS y_value, y.basis AS y_basis,
              e.status AS e_status, e.latest_period AS e_period, (c.recorded_at IS NOT NULL AND (e.id IS NULL OR l.as_of < c.recorded_at)) AS e_pending
         FROM targets t JOIN departments d ON d.id = t.department_id
         LEFT JOIN figures c ON c.target_id = t.id AND c.period = $1
         LEFT JOIN figure_revisions r ON r.id = c.revision_id
         LEFT JOIN figures p ON p.target_id = t.id AND p.period = $2
         LEFT JOIN figures y ON y.target_id = t.id AND y.period = $3
         LEFT JOIN latest_evaluations l ON l.target_id = t.id LEFT JOIN evaluations e ON e.id = l.evaluation_id
        WHERE t.archived_at IS NULL AND t.frequency = $4
          AND ($5::int IS NULL OR t.department_id = $5
               OR EXISTS (SELECT 1 FROM target_supporting_departments s WHERE s.target_id = t.id AND s.department_id = $5))
        ORDER BY d.code, t.code`,
      [period, previous, lastYear, frequencyOf(period), department?.id ?? null],
    );
    return {
      period, previousPeriod: previous, nextPeriod: nextPeriod(period), lastYearPeriod: lastYear,
      department: department ? { code: department.code, name: department.name } : null,
      departments: departments.map(({ code, name }) => ({ code, name })),
      rows: rows.map((r: any): EntryRow => {
        const def = definitionFromRow(r);
        const known = [...(r.figures ?? []), ...(r.c_value === null ? [] : [{ period, value: r.c_value, basis: r.c_basis }])];
        const figures = currentFigures(
          known.map((f: { period: string; value: string; basis: 'ytd' | 'period' }) => ({ ...f, value: Number(f.value), recordedAt: new Date(0) })),
          END_OF_TIME, def.frequency, DEFAULT_TZ,
        );
        return {
          code: r.code, name: r.name, unit: r.unit, kind: r.kind, department: r.department, departmentName: r.department_name,
          current: r.c_value === null ? null : { value: r.c_value, basis: r.c_basis, note: r.c_note, recordedBy: r.c_by, recordedAt: r.c_at },
          previous: r.p_value === null ? null : { period: previous, value: r.p_value, basis: r.p_basis },
          lastYear: r.y_value === null ? null : { period: lastYear!, value: r.y_value, basis: r.y_basis },
          goal: { comparator: r.comparator, value: r.target_value, period: r.target_period },
          expected: expectedAt(def, figures, period),
          evaluation: r.e_status === null && !r.e_pending ? null : { status: r.e_status, period: r.e_period, pending: r.e_pending },
          lead: department === null || r.department_id === department.id,
        };
      }),
    };
  }
}
