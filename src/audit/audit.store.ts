import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { preparedQuery } from '../database/prepared.store.js';
import type { Tx } from '../database/transactions.js';
import type { AuditQuery } from './audit.schema.js';

/** Where an entry is written: the write's transaction, or the connection for an entry on its own. */
export type AuditWriter = Tx | DataSource;

/** An audit_log row to insert; before/after as JSON text. */
export interface AuditRow {
  actorId: number | null; actor: string | null; action: string; entity: string; entityId: string | null;
  before: string | null; after: string | null; reason: string | null; ip: string | null;
}

/** audit_log (append-only: its triggers chain each row and refuse updates and deletes). */
@Injectable()
export class AuditStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** `db` null: on its own, outside any transaction. */
  async insert(db: AuditWriter | null, r: AuditRow): Promise<void> {
    await preparedQuery(db ?? this.dataSource,
      `INSERT INTO audit_log (actor_id, actor, action, entity, entity_id, before, after, reason, ip)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [r.actorId, r.actor, r.action, r.entity, r.entityId, r.before, r.after, r.reason, r.ip],
    );
  }

  /** The entries matching the query, newest first, a page of them; and how many match in all. */
  async listPage(q: AuditQuery): Promise<{ rows: (Record<string, unknown> & { at: Date })[]; total: number }> {
    const params = [q.entity ?? null, q.entityId ?? null, q.actor ?? null, q.action ?? null, q.from ?? null, q.to ?? null];
    const where = `($1::text IS NULL OR entity = $1) AND ($2::text IS NULL OR entity_id = $2)
      AND ($3::text IS NULL OR actor = $3) AND ($4::text IS NULL OR action = $4)
      AND ($5::timestamptz IS NULL OR at >= $5) AND ($6::timestamptz IS NULL OR at < $6)`;
    const [rows, [{ total }]] = await Promise.all([
      this.dataSource.query(
        `SELECT id, at, actor, action, entity, entity_id, before, after, reason, ip FROM audit_log
          WHERE ${where} ORDER BY at DESC, id DESC LIMIT $7 OFFSET $8`,
        [...params, q.pageSize, (q.page - 1) * q.pageSize],
      ),
      this.dataSource.query(`SELECT count(*)::int AS total FROM audit_log WHERE ${where}`, params),
    ]);
    return { rows, total };
  }
}
