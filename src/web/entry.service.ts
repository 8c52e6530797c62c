import { Injectable } from '@nestjs/common';
import type { Actor } from '../access/actor.js';
import type { Status } from '../evaluation/evaluation.types.js';
import { expectedAt } from '../evaluation/expected.js';
import { currentFigures } from '../evaluation/figures.js';
import { nextPeriod } from '../evaluation/periods.js';
import { DEFAULT_TZ } from '../evaluation/rules.js';
import { FiguresService } from '../figures/figures.service.js';
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
  /** the figure's open submission awaiting review (待审核) or returned with a reason (退回修改) */
  submission: { value: string; basis: string; state: 'pending' | 'returned'; reviewReason: string | null; submittedBy: string; submittedAt: Date } | null;
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

/** The quarterly entry sheet: the targets an actor may write for a period (FiguresService.entrySheet), with the figures beside them. */
@Injectable()
export class EntryService {
  constructor(private readonly figures: FiguresService) {}

  async sheet(actor: Actor, period: string, departmentCode: string | null): Promise<EntrySheet> {
    const { department, departments, previousPeriod: previous, lastYearPeriod: lastYear, records } =
      await this.figures.entrySheet(actor, period, departmentCode);
    return {
      period, previousPeriod: previous, nextPeriod: nextPeriod(period), lastYearPeriod: lastYear,
      department: department ? { code: department.code, name: department.name } : null,
      departments: departments.map(({ code, name }) => ({ code, name })),
      rows: records.map((r: any): EntryRow => {
        // The target's definition and figures for its 应达值, the latest evaluation for its status.
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
          submission: r.s_state === null ? null : {
            value: r.s_value, basis: r.s_basis, state: r.s_state, reviewReason: r.s_reason, submittedBy: r.s_by, submittedAt: r.s_at,
          },
        };
      }),
    };
  }
}
