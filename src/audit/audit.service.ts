import { Injectable } from '@nestjs/common';
import type { Actor } from '../access/actor.js';
import { assertCan } from '../access/permissions.js';
import type { Page } from '../common/paging.js';
import type { AuditQuery } from './audit.schema.js';
import { type AuditWriter, AuditStore } from './audit.store.js';

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
  constructor(private readonly store: AuditStore) {}

  /** In the write's transaction `tx`; null for an entry on its own. */
  async append(tx: AuditWriter | null, actor: Actor | null, entry: AuditEntry): Promise<void> {
    await this.store.insert(tx, {
      actorId: actor?.userId ?? null, actor: actor?.email ?? null, action: entry.action, entity: entry.entity, entityId: entry.entityId ?? null,
      before: entry.before === undefined ? null : JSON.stringify(entry.before),
      after: entry.after === undefined ? null : JSON.stringify(entry.after),
      reason: entry.reason ?? null, ip: actor?.ip ?? null,
    });
  }

  async list(actor: Actor, q: AuditQuery): Promise<Page<AuditJson>> {
    assertCan(actor, 'audit.read');
    const { rows, total } = await this.store.listPage(q);
    return {
      items: rows.map((r) => ({
        id: Number(r.id), at: r.at.toISOString(), actor: r.actor, action: r.action, entity: r.entity,
        entityId: r.entity_id, before: r.before, after: r.after, reason: r.reason, ip: r.ip,
      }) as AuditJson),
      total, page: q.page, pageSize: q.pageSize,
    };
  }
}
