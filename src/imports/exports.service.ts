import { Inject, Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import type { Actor } from '../access/actor.js';
import { DomainError, invalid, notFound } from '../common/domain-error.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { frequencyOf, periodsPerYear, periodT } from '../evaluation/periods.js';
import type { Status } from '../evaluation/evaluation.types.js';
import {
  type FigureExportRow, figuresCsv, figuresXlsx, type StatusReportDepartment, type StatusReportModel, statusReportXlsx,
} from '../spreadsheets/export.js';
import { ExportsStore } from './exports.store.js';

export interface StatusReportFilter {
  /** a department code: only the targets it leads */
  department?: string;
}

export interface FiguresExportFilter {
  department?: string;
  /** periods: figures whose period lies within [from, to] (a year contains its quarters and months) */
  from?: string;
  to?: string;
}

/** The most rows one figures export holds; narrow the range beyond it. */
export const MAX_EXPORT_ROWS = 200_000;

const num = (v: string | number | null) => (v === null ? null : Number(v));

/** Spreadsheet exports of what the API reads: the status report and the figures. */
@Injectable()
export class ExportsService {
  constructor(
    private readonly store: ExportsStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Each active target's latest stored evaluation, by lead department (targets not yet evaluated: status null). */
  async statusReportModel(_actor: Actor, filter: StatusReportFilter = {}): Promise<StatusReportModel> {
    const department = await this.department(filter.department);
    const rows = await this.store.listStatusReport(department?.id ?? null);
    const departments = new Map<string, StatusReportDepartment>();
    if (department) departments.set(department.code, { code: department.code, name: department.name, targets: [] });
    for (const r of rows) {
      let d = departments.get(r.department);
      if (!d) departments.set(r.department, (d = { code: r.department, name: r.department_name, targets: [] }));
      d.targets.push({
        code: r.code, name: r.name, unit: r.unit, targetValue: num(r.target_value), latestValue: num(r.latest_value),
        latestPeriod: r.latest_period, completion: r.completion, elapsed: r.elapsed, pace: r.pace, gap: r.gap,
        status: (r.status as Status | null) ?? null, early: r.early ?? false, overdue: r.overdue ?? false,
      });
    }
    return { generatedAt: new Date(), tz: this.config.scheduleTz, departments: [...departments.values()] };
  }

  /** The status report as .xlsx (汇总 and one sheet per department). */
  async statusReport(actor: Actor, filter: StatusReportFilter = {}): Promise<Buffer> {
    return statusReportXlsx(await this.statusReportModel(actor, filter));
  }

  /** Current figures of active targets, by target and period; 422 beyond MAX_EXPORT_ROWS. */
  async figureRows(_actor: Actor, filter: FiguresExportFilter = {}): Promise<FigureExportRow[]> {
    const department = await this.department(filter.department);
    const start = filter.from ? periodT(filter.from) - 1 / periodsPerYear(frequencyOf(filter.from)) : null;
    const end = filter.to ? periodT(filter.to) : null;
    if (start !== null && end !== null && start >= end) {
      throw invalid([{ path: 'to', message: '结束期间不得早于开始期间 (to must not be before from)' }]);
    }
    const rows = await this.store.listFigures(department?.id ?? null, start, end, MAX_EXPORT_ROWS + 1);
    if (rows.length > MAX_EXPORT_ROWS) {
      throw new DomainError('invalid', `超过 ${MAX_EXPORT_ROWS} 行，请按部门或期间缩小范围 (more than ${MAX_EXPORT_ROWS} rows: narrow with department, from, to)`,
        [{ path: 'from', message: '范围过大 (range too large)' }]);
    }
    return rows.map((r) => ({
      target: r.target, name: r.name, department: r.department, period: r.period, value: r.value, basis: r.basis,
      status: r.status, note: r.note, source: r.source, recordedAt: r.recorded_at, recordedBy: r.recorded_by,
    }));
  }

  async figuresXlsx(actor: Actor, filter: FiguresExportFilter = {}): Promise<Buffer> {
    return figuresXlsx(await this.figureRows(actor, filter), this.config.scheduleTz);
  }

  async figuresCsv(actor: Actor, filter: FiguresExportFilter = {}): Promise<Buffer> {
    return figuresCsv(await this.figureRows(actor, filter), this.config.scheduleTz);
  }

  /** A download's file name: `目标进度-2026-11-29.xlsx`, `实际值-ECON-INFO-2026-11-29.csv`. */
  fileName(kind: 'status' | 'figures', ext: 'xlsx' | 'csv', department?: string): string {
    const day = DateTime.now().setZone(this.config.scheduleTz).toFormat('yyyy-MM-dd');
    return `${kind === 'status' ? '目标进度' : '实际值'}${department ? `-${department}` : ''}-${day}.${ext}`;
  }

  private async department(code: string | undefined): Promise<{ id: number; code: string; name: string } | null> {
    if (!code) return null;
    const row = await this.store.findDepartment(code);
    if (!row) throw notFound(`部门 ${code}`, 'department');
    return row;
  }
}
