import type pg from 'pg';
import { chainLinks, firstUnchainedAuditId, inSnapshot } from './schema-owner.store.js';

/** Where the chain first breaks: the audit row (its id) and why. */
export interface ChainBreak {
  auditId: number | null;
  seq: number | null;
  problem: string;
}

export interface ChainReport {
  rows: number;
  /** the last link: note it somewhere else to detect a rewrite of the whole chain later (--expect) */
  head: { seq: number; hash: string } | null;
  broken: ChainBreak | null;
}

const BATCH = 5000;

/** The first link that does not hold, then any unlinked row; `expect` is a head (`seq:hash`) that must remain. */
export function verifyAuditChain(client: pg.ClientBase, expect?: { seq: number; hash: string }): Promise<ChainReport> {
  return inSnapshot(client, () => walk(client, expect));
}

async function walk(client: pg.ClientBase, expect?: { seq: number; hash: string }): Promise<ChainReport> {
  let seq = 0;
  let hash = '';
  let expectSeen = false;
  const broken = (auditId: number | null, at: number | null, problem: string): ChainReport =>
    ({ rows: seq, head: seq ? { seq, hash } : null, broken: { auditId, seq: at, problem } });
  for (;;) {
    const rows = await chainLinks(client, seq, BATCH);
    for (const link of rows) {
      const at = Number(link.seq);
      const id = Number(link.audit_id);
      if (at !== seq + 1) return broken(null, seq + 1, `链条缺少第 ${seq + 1} 环 (chain link ${seq + 1} is missing)`);
      if (link.prev !== hash) return broken(id, at, `链条第 ${at} 环与前一环不符 (link ${at} does not follow link ${seq}: links rewritten)`);
      if (!link.present) return broken(id, at, `审计记录 ${id} 已被删除 (audit row ${id} was deleted)`);
      if (link.computed !== link.hash) return broken(id, at, `审计记录 ${id} 在写入后被修改 (audit row ${id} was changed after it was written)`);
      seq = at;
      hash = link.hash;
      if (expect && expect.seq === at) {
        if (expect.hash !== hash) return broken(id, at, `第 ${at} 环的哈希与记下的不同 (link ${at} differs from the noted hash: the chain was rewritten)`);
        expectSeen = true;
      }
    }
    if (rows.length < BATCH) break;
  }
  if (expect && !expectSeen) return broken(null, expect.seq, `记下的第 ${expect.seq} 环不在链中 (the noted link ${expect.seq} is not in the chain)`);
  const loose = await firstUnchainedAuditId(client);
  if (loose) return broken(Number(loose), null, `审计记录 ${loose} 不在链中 (audit row ${loose} is not in the chain: written with the trigger disabled)`);
  return { rows: seq, head: seq ? { seq, hash } : null, broken: null };
}

/** `seq:hash` as printed by `npm run audit:verify`. */
export function parseExpect(value: string): { seq: number; hash: string } | null {
  const m = /^(\d+):([0-9a-f]{64})$/.exec(value.trim());
  return m ? { seq: Number(m[1]), hash: m[2] } : null;
}
