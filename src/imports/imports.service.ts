import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../access/actor.js';
import { can, forbidden } from '../access/permissions.js';
import { conflict, type FieldError, invalid, notFound } from '../common/domain-error.js';
import { offsetOf, type Page, type PageQuery } from '../common/paging.js';
import { isoOrNull } from '../common/values.js';
import { Transactions } from '../database/transactions.js';
import type { Basis } from '../evaluation/evaluation.types.js';
import { auditedBatch, type FigureWrite, FiguresService, type WriteResult } from '../figures/figures.service.js';
import { nameKey } from '../spreadsheets/names.js';
import { type RowError, type SheetField, type SheetRow, SpreadsheetError, SpreadsheetTooLarge } from '../spreadsheets/parse.js';
import { readPeriodWording, resolvePeriodWording } from '../spreadsheets/period-wording.js';
import { convertUnit } from '../spreadsheets/unit-conversion.js';
import type { JsonText } from '../contract/json-text.js';
import { type ImportRecord, type ImportSummaryRecord, ImportsStore, type TargetInfo } from './imports.store.js';
import type { ImportResult, ImportStatus, SkippedRow } from './import.types.js';
import { SheetParser } from './sheet-parser.js';
import { UploadError } from './upload.js';

export type { ImportResult, ImportStatus, SkippedRow } from './import.types.js';

/**
 * One data row of an imported file: as parsed, with its syntax and semantic errors, and what the preview
 * shows beside it (absent in imports previewed before these fields existed).
 */
export interface ImportRowJson extends SheetRow {
  /** the matched target's name and unit (null when no target matched) */
  targetName?: string | null;
  targetUnit?: string | null;
  /** the target's current figure for the period, before this import (null: the figure is new) */
  previous?: string | null;
  /** the value and unit as the sheet gave them, when `value` is converted into the target's unit (else absent) */
  conversion?: { value: string; unit: string };
  /**
   * plausibility warnings (far from the previous period, 同比 beyond ±100%), absent when none: such rows are
   * applied only with confirmWarnings (absent rather than empty: 100 000 stored rows stay small)
   */
  warnings?: RowError[];
}

export interface ApplyOptions {
  /** write the valid rows and skip those with errors (without it, any error writes nothing) */
  skipInvalid?: boolean;
  /** write values the plausibility check warns about (as confirmed: the revision records the warning) */
  confirmWarnings?: boolean;
}

export interface ImportSummaryJson {
  id: string;
  fileName: string;
  sha256: string;
  /** preview: may be applied; rejected: has errors, cannot be applied; applied: written */
  status: ImportStatus;
  createdBy: string;
  createdAt: string;
  appliedAt: string | null;
  /** rows without / with errors */
  valid: number;
  invalid: number;
  /** the apply's counts: figures received, written (new revisions), unchanged; the rows skipped */
  result: ImportResult | null;
}

export interface ImportJson extends ImportSummaryJson {
  rows: ImportRowJson[];
  /** every error as `rows[<row>].<field>`, in row order (empty when the import may be applied) */
  errors: FieldError[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PATH = /^rows\[(\d+)\]\.(\w+)$/;
const MAX_FILE_NAME = 255;

export const rowPath = (row: number, field: string) => `rows[${row}].${field}`;

/** What a browser or script sent as the file name, without directories or control characters, at most 255 characters. */
export function cleanFileName(name: string | null | undefined): string {
  const base = (name ?? '').split(/[/\\]/).pop()!.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (!base) return 'upload';
  const chars = [...base];
  if (chars.length <= MAX_FILE_NAME) return base;
  const ext = /\.[^.]{1,10}$/.exec(base)?.[0] ?? '';
  return chars.slice(0, MAX_FILE_NAME - ext.length).join('') + ext;
}

/** The figure source an import writes. */
export const importSource = (fileName: string) => `导入: ${fileName}`;

const mayImport = (actor: Actor) => can(actor, 'figures.write.any') || (actor.role === 'department' && actor.departmentId !== null);

/** Figure imports: `preview` runs a write's checks without writing; `apply` writes a clean preview once. */
@Injectable()
export class ImportsService {
  constructor(
    private readonly store: ImportsStore,
    private readonly transactions: Transactions,
    private readonly figures: FiguresService,
    private readonly audit: AuditService,
    private readonly parser: SheetParser,
  ) {}

  /** Parses (in a worker) and checks a file, stored as `preview` or `rejected`; 422 unreadable, 413 too big. */
  async preview(actor: Actor, fileName: string, buffer: Buffer): Promise<ImportDocument> {
    if (!mayImport(actor)) throw forbidden(`角色 ${actor.role} 无权导入实际值 (role ${actor.role} may not import figures)`);
    const name = cleanFileName(fileName);
    let rows: ImportRowJson[];
    try {
      rows = (await this.parser.parse(buffer, name)).rows;
    } catch (error) {
      if (error instanceof SpreadsheetTooLarge) throw new UploadError(413, error.message);
      if (error instanceof SpreadsheetError) throw invalid([{ path: 'file', message: error.message }], error.message);
      throw error;
    }
    if (!rows.length) {
      const message = '文件中没有数据行 (the file has no data rows)';
      throw invalid([{ path: 'file', message }], message);
    }
    await this.checkRows(actor, rows);
    for (const r of rows) r.errors.sort((a, b) => FIELDS.indexOf(a.field) - FIELDS.indexOf(b.field));
    const errors = rows.flatMap((r) => r.errors.map((e) => ({ path: rowPath(r.row, e.field), message: e.message })));
    const status: ImportStatus = errors.length ? 'rejected' : 'preview';
    const sha256 = createHash('sha256').update(buffer).digest('hex');

    const rowsJson = JSON.stringify(rows);
    const invalidRows = countInvalid(rows);
    const record = await this.transactions.run(async (tx) => {
      const saved = await this.store.insertImport(tx, {
        userId: actor.userId, email: actor.email, fileName: name, sha256, rowCount: rows.length, rowsJson, errors, status,
      });
      await this.audit.append(tx, actor, {
        action: 'import.preview', entity: 'import', entityId: saved.id,
        after: { fileName: name, sha256, status, rows: rows.length, invalid: invalidRows },
      });
      return saved;
    });
    return new ImportDocument(summaryJson(record, invalidRows), rowsJson, errors, rows);
  }

  /** Applies a preview with its audit row in one transaction; `skipInvalid` writes only the valid rows. */
  async apply(actor: Actor, id: string, options: ApplyOptions = {}): Promise<ImportDocument> {
    const record = await this.load(actor, id);
    if (record.status === 'applied') {
      throw conflict('id', `导入 ${id} 已于 ${record.applied_at!.toISOString()} 应用，不能重复应用 (the import was already applied)`);
    }
    if ((record.errors.length || record.status !== 'preview') && !options.skipInvalid) {
      throw invalid(record.errors,
        `导入文件有 ${record.invalid} 行、${record.errors.length} 处错误，未写入任何数据；可选择只导入有效行（skipInvalid=true）(the import has errors; nothing was written)`);
    }
    const all: ImportRowJson[] = JSON.parse(record.rows_json);
    const rows = record.errors.length ? all.filter((r) => !r.errors.length) : all;
    const skipped: SkippedRow[] = record.errors.length ? all.filter((r) => r.errors.length).map((r) => ({ row: r.row, errors: r.errors })) : [];
    if (!rows.length) {
      throw invalid(record.errors, `导入文件没有有效行，未写入任何数据 (no valid row; nothing was written)`);
    }
    const warned = rows.filter((r) => r.warnings?.length);
    if (warned.length && !options.confirmWarnings) {
      throw invalid(
        warned.flatMap((r) => r.warnings!.map((w) => ({ path: rowPath(r.row, w.field), message: w.message, code: 'implausible' as const }))),
        `${warned.length} 行数值需要核对，确认无误后请勾选确认（confirmWarnings=true），未写入任何数据 (${warned.length} rows have implausible values: confirm them; nothing was written)`,
      );
    }
    const source = importSource(record.file_name);
    const figures: FigureWrite[] = rows.map((r) => ({
      target: r.target!, period: r.period!, value: r.value!, basis: (r.basis ?? undefined) as Basis | undefined,
      status: 'final', note: r.note, source, reason: null, ...(r.warnings?.length && { confirm: true }),
    }));
    const alreadyApplied = () =>
      conflict('id', `导入 ${id} 已被应用，不能重复应用 (the import was already applied)`);
    let applied: ImportSummaryRecord | undefined;
    await this.figures.writeAll(
      actor, figures,
      { pathOf: (i, field) => rowPath(rows[i].row, field), rowOf: (i) => rows[i].row },
      async (tx, batch) => {
        const result: ImportResult = {
          received: figures.length, written: batch.written, unchanged: figures.length - batch.written - batch.submitted,
          ...(batch.submitted && { submitted: batch.submitted }), ...(skipped.length && { skipped }),
        };
        // Claims the import in the write's transaction: a concurrent second apply finds it applied and rolls back.
        const claimed = await this.store.markApplied(tx, id, result);
        if (!claimed) throw alreadyApplied();
        applied = claimed;
        await this.audit.append(tx, actor, {
          action: 'figures.import', entity: 'import', entityId: id,
          after: { fileName: record.file_name, sha256: record.sha256, ...result, ...auditedBatch(batch) },
        });
      },
    );
    // The committed state, as GET /imports/{id} would read it: the stored rows are unchanged by the apply.
    return new ImportDocument(summaryJson(applied!, countInvalid(all)), record.rows_json, record.errors, all);
  }

  /** Preview, then apply at once when clean; otherwise 422 and the import is kept, rejected. */
  async importAndApply(actor: Actor, fileName: string, buffer: Buffer, options: ApplyOptions = {}): Promise<ImportDocument> {
    const previewed = await this.preview(actor, fileName, buffer);
    if (previewed.errors.length && !options.skipInvalid) {
      throw invalid(previewed.errors,
        `导入文件有 ${previewed.invalid} 行、${previewed.errors.length} 处错误，未写入任何数据（导入 ${previewed.id}）(the file has errors; nothing was written)`);
    }
    return this.apply(actor, previewed.id, options);
  }

  /** An import with its rows: the uploader's own, or any for admins and planners (others: 404). */
  async get(actor: Actor, id: string): Promise<ImportJson> {
    return (await this.document(actor, id)).json();
  }

  /** `get` as the stored JSON text (for the HTTP response: the rows are not parsed). */
  async document(actor: Actor, id: string): Promise<ImportDocument> {
    const record = await this.load(actor, id);
    return new ImportDocument(summaryJson(record, record.invalid), record.rows_json, record.errors);
  }

  /** The imports (without rows), newest first: the actor's own, or everyone's for admins and planners. */
  async list(actor: Actor, q: PageQuery): Promise<Page<ImportSummaryJson>> {
    const all = can(actor, 'figures.write.any');
    const { records, total } = await this.store.listImports(all, actor.userId, actor.email, q.pageSize, offsetOf(q));
    return { items: records.map((r) => summaryJson(r, r.invalid)), page: q.page, pageSize: q.pageSize, total };
  }

  /** The rows' checks: target by code, name or alias; period and unit resolved; then a figure write's checks. */
  private async checkRows(actor: Actor, rows: ImportRowJson[]): Promise<void> {
    const targets = await this.matchTargets(rows);
    for (const r of rows) {
      const target = r.target === null ? undefined : targets.get(r.target);
      r.targetName = target?.name ?? null;
      r.targetUnit = target?.unit ?? null;
      r.previous = null;
      if (target) resolveRow(r, target);
    }
    await this.checkFigures(actor, rows);
    await this.previousFigures(rows, targets);
  }

  /** The active targets the rows name, by code, or by name or alias when a row gives no code; one query. */
  private async matchTargets(rows: ImportRowJson[]): Promise<Map<string, TargetInfo>> {
    const codes = new Set<string>();
    let byName = false;
    for (const r of rows) {
      if (r.target !== null) codes.add(r.target);
      else if (r.name !== null) byName = true;
    }
    const found = await this.store.findActiveTargets([...codes], byName);
    const byCode = new Map(found.map((t) => [t.code, t]));
    if (!byName) return byCode;
    const named = new Map<string, string[]>();
    for (const t of found) {
      for (const key of new Set([t.name, ...t.aliases].map(nameKey))) {
        const list = named.get(key);
        if (list) list.push(t.code);
        else named.set(key, [t.code]);
      }
    }
    for (const r of rows) {
      if (r.target !== null || r.name === null || r.errors.some((e) => e.field === 'name')) continue;
      const matches = named.get(nameKey(r.name));
      if (!matches) {
        r.errors.push({ field: 'name', message: `未找到名称或别名为「${r.name}」的指标，请填写指标代码或在指标设置中添加别名 (no target named "${r.name}")` });
      } else if (matches.length > 1) {
        r.errors.push({ field: 'name', message: `名称「${r.name}」对应多个指标（${matches.sort().join('、')}），请填写指标代码 (the name "${r.name}" fits several targets)` });
      } else {
        r.target = matches[0];
      }
    }
    return byCode;
  }

  /** What a figure write checks, for the rows whose target, period and basis could be read. */
  private async checkFigures(actor: Actor, rows: ImportRowJson[]): Promise<void> {
    // Rows whose key fields are unreadable cannot be checked further; their syntax errors stand.
    const checkable = rows.filter((r) => r.target !== null && !r.errors.some((e) => KEY_FIELDS.has(e.field)));
    if (!checkable.length) return;
    const { denied, errors, warnings } = await this.figures.check(
      actor,
      // a worded period of an unknown target stays unresolved: the target's error is what the row shows
      checkable.map((r) => ({
        target: r.target!, period: r.period ?? r.periodText!, basis: (r.basis ?? undefined) as Basis | undefined,
        ...(r.value !== null && !r.errors.some((e) => e.field === 'value' || e.field === 'unit') && { value: r.value }),
      })),
      (i, field) => rowPath(checkable[i].row, field),
      (i) => checkable[i].row,
    );
    const byRow = new Map(rows.map((r) => [r.row, r]));
    for (const e of [...denied, ...errors]) {
      const [, row, field] = PATH.exec(e.path)!;
      byRow.get(Number(row))!.errors.push({ field: field as SheetField, message: e.message });
    }
    // a warning does not reject the row: it is shown, and applied only when confirmed
    for (const w of warnings) {
      const [, row, field] = PATH.exec(w.path)!;
      (byRow.get(Number(row))!.warnings ??= []).push({ field: field as SheetField, message: w.message });
    }
  }

  /** Each row's current figure of its target and period (null: none yet), in one query. */
  private async previousFigures(rows: ImportRowJson[], targets: Map<string, TargetInfo>): Promise<void> {
    const asked: ImportRowJson[] = [];
    const ids: number[] = [];
    const periods: string[] = [];
    for (const r of rows) {
      const target = r.target === null ? undefined : targets.get(r.target);
      if (!target || r.period === null || r.errors.some((e) => e.field === 'period')) continue;
      asked.push(r);
      ids.push(target.id);
      periods.push(r.period);
    }
    if (!asked.length) return;
    const found = await this.store.findCurrentValues(ids, periods);
    for (const { ord, value } of found) asked[ord - 1].previous = value;
  }

  private async load(actor: Actor, id: string): Promise<ImportRecord & { invalid: number }> {
    const missing = () => notFound(`导入 ${id}`, 'id');
    if (!UUID.test(id)) throw missing();
    // The count of rows with errors comes from the stored errors: what the rows' own error lists say.
    const record = await this.store.findById(id);
    if (!record || (!can(actor, 'figures.write.any') && !ownedBy(record, actor))) throw missing();
    return record;
  }
}

const ownedBy = (r: ImportRecord, actor: Actor) =>
  r.user_id !== null ? r.user_id === actor.userId : actor.userId === null && r.email === actor.email;

function summaryJson(r: ImportSummaryRecord, invalidRows: number): ImportSummaryJson {
  return {
    id: r.id, fileName: r.file_name, sha256: r.sha256, status: r.status, createdBy: r.email,
    createdAt: r.created_at.toISOString(), appliedAt: isoOrNull(r.applied_at),
    valid: r.row_count - invalidRows, invalid: invalidRows, result: r.result,
  };
}

const countInvalid = (rows: readonly ImportRowJson[]) => rows.reduce((n, r) => (r.errors.length ? n + 1 : n), 0);

/** An import kept as its stored JSON text: `body()` splices the rows in unparsed; `json()` parses them once. */
export class ImportDocument {
  constructor(
    readonly summary: ImportSummaryJson,
    private readonly rowsJson: string,
    readonly errors: FieldError[],
    private rows?: ImportRowJson[],
  ) {}

  get id(): string { return this.summary.id; }
  get status(): ImportStatus { return this.summary.status; }
  get invalid(): number { return this.summary.invalid; }

  json(): ImportJson {
    this.rows ??= JSON.parse(this.rowsJson) as ImportRowJson[];
    return { ...this.summary, rows: this.rows, errors: this.errors };
  }

  /** The response body: the same JSON as `JSON.stringify(json())` up to whitespace and key order. */
  body(): JsonText<ImportJson> {
    const head = JSON.stringify({ ...this.summary, rows: 0 });
    return `${head.slice(0, -2)}${this.rowsJson},"errors":${JSON.stringify(this.errors)}}`;
  }
}

const FIELDS: SheetField[] = ['target', 'name', 'period', 'value', 'unit', 'basis', 'note'];
const KEY_FIELDS = new Set<SheetField>(['target', 'name', 'period', 'basis']);


/** A matched row's worded period (against the target's frequency) and unit (against the target's unit). */
function resolveRow(r: ImportRowJson, target: TargetInfo): void {
  if (r.periodText !== null && r.period === null) {
    const resolved = resolvePeriodWording(readPeriodWording(r.periodText)!, target.frequency, r.periodText);
    if (resolved.error !== undefined) {
      r.errors.push({ field: 'period', message: resolved.error });
    } else {
      r.period = resolved.period;
      if (resolved.basis && r.basis === null) {
        r.basis = resolved.basis;
      } else if (resolved.basis && r.basis !== resolved.basis && !r.errors.some((e) => e.field === 'basis')) {
        const [says, is] = resolved.basis === 'ytd' ? ['累计数（自1月起）', '当期'] : ['单季当期数', '累计'];
        r.errors.push({ field: 'basis', message: `期间「${r.periodText}」是${says}，与口径「${is}」冲突 (period "${r.periodText}" says ${resolved.basis}, the basis column says ${r.basis})` });
      }
    }
  }
  if (r.unit !== null && r.value !== null && !r.errors.some((e) => e.field === 'value' || e.field === 'unit')) {
    const converted = convertUnit(r.value, r.unit, target.unit);
    if (converted.error !== undefined) {
      r.errors.push({ field: 'unit', message: converted.error });
    } else if (converted.converted) {
      r.conversion = { value: r.value, unit: r.unit };
      r.value = converted.value;
    }
  }
}
