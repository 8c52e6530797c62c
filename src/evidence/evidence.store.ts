import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Tx } from '../database/transactions.js';
import type { EvidenceSubject } from './evidence.schema.js';

/** What an upload reads of its target: who may attach to it, and which periods fit it. */
export interface EvidenceTarget {
  id: number;
  code: string;
  frequency: string;
  department_id: number;
  supporting: number[];
  archived: boolean;
}

/** An evidence row without its content. */
export interface EvidenceRecord {
  id: string;
  code: string;
  period: string;
  subject: EvidenceSubject;
  revision_id: string | null;
  submission_id: string | null;
  filename: string;
  content_type: string;
  size: number;
  sha256: Buffer;
  uploaded_by: string;
  uploaded_at: Date;
}

export interface NewEvidence {
  targetId: number;
  period: string;
  subject: EvidenceSubject;
  fileName: string;
  contentType: string;
  content: Buffer;
  sha256: Buffer;
  uploadedBy: string;
}

const COLUMNS = `e.id::text AS id, t.code, e.period, e.subject, e.revision_id::text AS revision_id, e.submission_id::text AS submission_id,
  e.filename, e.content_type, e.size, e.sha256, e.uploaded_by, e.uploaded_at`;

@Injectable()
export class EvidenceStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findTarget(code: string): Promise<EvidenceTarget | null> {
    const [row]: EvidenceTarget[] = await this.dataSource.query(
      `SELECT t.id, t.code, t.frequency, t.department_id, t.archived_at IS NOT NULL AS archived,
              array_remove(array_agg(s.department_id), NULL) AS supporting
         FROM targets t LEFT JOIN target_supporting_departments s ON s.target_id = t.id
        WHERE t.code = $1 GROUP BY t.id`,
      [code],
    );
    return row ?? null;
  }

  /**
   * One INSERT with the whole file; a figure's evidence is linked to the figure's current revision and to
   * its open submission (pending or returned), those that exist as it is written.
   */
  async insert(tx: Tx, e: NewEvidence): Promise<EvidenceRecord> {
    const [row]: EvidenceRecord[] = await tx.query(
      `WITH e AS (
         INSERT INTO evidence (target_id, period, subject, revision_id, submission_id, filename, content_type, size, sha256, content, uploaded_by)
         SELECT $1::int, $2::text, $3::text,
                CASE WHEN $3::text = 'figure' THEN (SELECT f.revision_id FROM figures f WHERE f.target_id = $1::int AND f.period = $2::text) END,
                CASE WHEN $3::text = 'figure' THEN (SELECT s.id FROM figure_submissions s
                  WHERE s.target_id = $1::int AND s.period = $2::text AND s.state IN ('pending', 'returned')) END,
                $4, $5, $6, $7, $8, $9
         RETURNING *)
       SELECT ${COLUMNS} FROM e JOIN targets t ON t.id = e.target_id`,
      [e.targetId, e.period, e.subject, e.fileName, e.contentType, e.content.length, e.sha256, e.content, e.uploadedBy],
    );
    return row;
  }

  /** A target's evidence (one subject and period, or all of it), oldest first. */
  async list(targetId: number, filter: { subject?: EvidenceSubject; period?: string } = {}): Promise<EvidenceRecord[]> {
    return this.dataSource.query(
      `SELECT ${COLUMNS} FROM evidence e JOIN targets t ON t.id = e.target_id
        WHERE e.target_id = $1 AND ($2::text IS NULL OR e.subject = $2) AND ($3::text IS NULL OR e.period = $3)
        ORDER BY tm_period_t(e.period) DESC, e.period DESC, e.uploaded_at, e.id`,
      [targetId, filter.subject ?? null, filter.period ?? null],
    );
  }

  async find(id: number): Promise<EvidenceRecord | null> {
    const [row]: EvidenceRecord[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM evidence e JOIN targets t ON t.id = e.target_id WHERE e.id = $1`, [id],
    );
    return row ?? null;
  }

  /** The file's bytes and what it is, for a download. */
  async findWithContent(id: number): Promise<(EvidenceRecord & { content: Buffer }) | null> {
    const [row]: (EvidenceRecord & { content: Buffer })[] = await this.dataSource.query(
      `SELECT ${COLUMNS}, e.content FROM evidence e JOIN targets t ON t.id = e.target_id WHERE e.id = $1`, [id],
    );
    return row ?? null;
  }

  async delete(tx: Tx, id: number): Promise<boolean> {
    const rows: unknown[] = await tx.query('DELETE FROM evidence WHERE id = $1 RETURNING id', [id]);
    return rows.length > 0;
  }
}
