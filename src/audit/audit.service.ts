import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../access/actor.js';
import { assertCan } from '../access/permissions.js';
import type { Page } from '../common/paging.js';
import type { AuditQuery } from './audit.schema.js';

export interface AuditEntry {
  action: string;
  entity: string;
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
}

export interface AuditJson {
  id: number;
  at: string;
  actor: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
  ip: string | null;
}

/** The append-only trail: one row per write, in the write's own transaction. */
@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async append(manager: EntityManager | DataSource, actor: Actor | null, entry: AuditEntry): Promise<void> {
    await manager.query(
      `INSERT INTO audit_log (actor_id, actor, action, entity, entity_id, before, after, reason, ip)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        actor?.userId ?? null, actor?.email ?? null, entry.action, entry.entity, entry.entityId ?? null,
        entry.before === undefined ? null : JSON.stringify(entry.before),
        entry.after === undefined ? null : JSON.stringify(entry.after),
        entry.reason ?? null, actor?.ip ?? null,
      ],
    );
  }

  async list(actor: Actor, q: AuditQuery): Promise<Page<AuditJson>> {
    assertCan(actor, 'audit.read');
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
    return {
      items: rows.map((r: Record<string, unknown> & { at: Date }) => ({
        id: Number(r.id), at: r.at.toISOString(), actor: r.actor, action: r.action, entity: r.entity,
        entityId: r.entity_id, before: r.before, after: r.after, reason: r.reason, ip: r.ip,
      }) as AuditJson),
      total, page: q.page, pageSize: q.pageSize,
    };
  }
}
