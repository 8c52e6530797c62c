import { Inject, Injectable } from '@nestjs/common';
import type { Actor } from '../access/actor.js';
import { can, canWriteFigures, forbidden } from '../access/permissions.js';
import { AuditService } from '../audit/audit.service.js';
import { invalid, notFound } from '../common/domain-error.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { Transactions } from '../database/transactions.js';
import { parsePeriod, periodFits } from '../evaluation/periods.js';
import type { EvidenceFile } from './evidence-upload.js';
import { type EvidenceJson, type EvidenceSubject } from './evidence.schema.js';
import { type EvidenceRecord, EvidenceStore, type EvidenceTarget } from './evidence.store.js';

export type { EvidenceJson, EvidenceSubject } from './evidence.schema.js';

/** Where an upload goes, checked (target, period, permission) before its file is read. */
export interface EvidencePlace {
  target: EvidenceTarget;
  subject: EvidenceSubject;
  period: string;
}

const SUBJECT_ZH: Record<EvidenceSubject, string> = { figure: '实际值', explanation: '情况说明' };

export function evidenceJson(r: EvidenceRecord): EvidenceJson {
  return {
    id: Number(r.id), target: r.code, period: r.period, subject: r.subject, filename: r.filename, contentType: r.content_type,
    size: r.size, sha256: r.sha256.toString('hex'),
    revisionId: r.revision_id === null ? null : Number(r.revision_id),
    submissionId: r.submission_id === null ? null : Number(r.submission_id),
    uploadedBy: r.uploaded_by, uploadedAt: r.uploaded_at.toISOString(),
  };
}

/** Evidence files (佐证材料): who may attach them, where they are linked, and the audit of each upload. */
@Injectable()
export class EvidenceService {
  constructor(
    private readonly store: EvidenceStore,
    private readonly transactions: Transactions,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The largest file accepted (EVIDENCE_MAX_MB). */
  get maxBytes(): number {
    return this.config.evidenceMaxBytes;
  }

  /** Whether `actor` may attach evidence of `subject` to a target (the page shows its form only then). */
  mayUpload(actor: Actor, target: Pick<EvidenceTarget, 'department_id' | 'supporting'>, subject: EvidenceSubject): boolean {
    if (subject === 'figure') return canWriteFigures(actor, { departmentId: target.department_id, supportingIds: target.supporting });
    return can(actor, 'figures.write.any') || (actor.role === 'department' && actor.departmentId === target.department_id);
  }

  /** Which evidence `actor` may attach to the target (none to an archived or unknown one). */
  async uploadRights(actor: Actor, code: string): Promise<Record<EvidenceSubject, boolean>> {
    const target = await this.store.findTarget(code);
    const open = Boolean(target && !target.archived);
    return { figure: open && this.mayUpload(actor, target!, 'figure'), explanation: open && this.mayUpload(actor, target!, 'explanation') };
  }

  /** 404 for an unknown or archived target, 422 for a period that does not fit, 403 for who may not attach: before the file is read. */
  async place(actor: Actor, code: string, subject: EvidenceSubject, period: string): Promise<EvidencePlace> {
    const target = await this.store.findTarget(code);
    if (!target || target.archived) throw notFound(target ? `指标 ${code}（或已归档）` : `指标 ${code}`, 'code');
    if (subject === 'explanation') {
      if (parsePeriod(period)?.kind !== 'quarter') {
        throw invalid([{ path: 'period', message: `情况说明按季度报送，期间应为 YYYYQn，收到 ${period} (an explanation's period is a quarter, YYYYQn)` }]);
      }
    } else if (!periodFits(target.frequency as never, period)) {
      throw invalid([{ path: 'period', message: `期间 ${period} 与指标的报送频率 ${target.frequency} 不符 (period does not fit the frequency)` }]);
    }
    if (!this.mayUpload(actor, target, subject)) {
      throw forbidden(subject === 'figure'
        ? `无权为指标 ${code} 上传佐证材料：只有牵头、配合单位和规划处可以 (not a department of this target)`
        : `无权为指标 ${code} 的情况说明上传佐证材料：只有牵头单位和规划处可以 (only the lead department or a planner)`, 'code');
    }
    return { target, subject, period };
  }

  /** Stores a file read by readEvidenceUpload in one INSERT, with its audit row (never the content). */
  async save(actor: Actor, place: EvidencePlace, file: EvidenceFile): Promise<EvidenceJson> {
    return this.transactions.run(async (tx) => {
      const row = await this.store.insert(tx, {
        targetId: place.target.id, period: place.period, subject: place.subject, fileName: file.fileName,
        contentType: file.contentType, content: file.content, sha256: file.sha256, uploadedBy: actor.email,
      });
      const json = evidenceJson(row);
      await this.audit.append(tx, actor, {
        action: 'evidence.upload', entity: 'evidence', entityId: String(json.id),
        after: {
          id: json.id, target: json.target, period: json.period, subject: json.subject, filename: json.filename,
          size: json.size, sha256: json.sha256, revisionId: json.revisionId, submissionId: json.submissionId,
        },
      });
      return json;
    });
  }

  /** A target's evidence of one subject and period (anyone signed in may read targets). */
  async list(code: string, subject: EvidenceSubject, period: string): Promise<EvidenceJson[]> {
    const target = await this.store.findTarget(code);
    if (!target) throw notFound(`指标 ${code}`, 'code');
    return (await this.store.list(target.id, { subject, period })).map(evidenceJson);
  }

  /** All of a target's evidence, latest period first (the target page). */
  async listForTarget(code: string): Promise<EvidenceJson[]> {
    const target = await this.store.findTarget(code);
    if (!target) throw notFound(`指标 ${code}`, 'code');
    return (await this.store.list(target.id)).map(evidenceJson);
  }

  /** The file itself. */
  async download(id: number): Promise<{ evidence: EvidenceJson; content: Buffer }> {
    const row = await this.store.findWithContent(id);
    if (!row) throw notFound(`佐证材料 ${id}`, 'id');
    return { evidence: evidenceJson(row), content: row.content };
  }

  /** Removes a file: its uploader, or a planner or admin; audited. */
  async remove(actor: Actor, id: number): Promise<void> {
    const row = await this.store.find(id);
    if (!row) throw notFound(`佐证材料 ${id}`, 'id');
    const json = evidenceJson(row);
    if (!can(actor, 'figures.write.any') && actor.email !== row.uploaded_by) {
      throw forbidden('只有上传者或规划处可以删除佐证材料 (only its uploader or a planner may delete evidence)', 'id');
    }
    await this.transactions.run(async (tx) => {
      if (!(await this.store.delete(tx, id))) throw notFound(`佐证材料 ${id}`, 'id');
      await this.audit.append(tx, actor, {
        action: 'evidence.delete', entity: 'evidence', entityId: String(id),
        before: { id, target: json.target, period: json.period, subject: json.subject, filename: json.filename, size: json.size, sha256: json.sha256 },
      });
    });
  }

  static subjectText(subject: EvidenceSubject): string {
    return SUBJECT_ZH[subject];
  }
}
