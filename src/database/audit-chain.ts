import type pg from 'pg';

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
export async function verifyAuditChain(client: pg.ClientBase, expect?: { seq: number; hash: string }): Promise<ChainReport> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const report = await walk(client, expect);
    await client.query('COMMIT');
    return report;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

async function walk(client: pg.ClientBase, expect?: { seq: number; hash: string }): Promise<ChainReport> {
  let seq = 0;
  let hash = '';
  let expectSeen = false;
  const broken = (auditId: number | null, at: number | null, problem: string): ChainReport =>
    ({ rows: seq, head: seq ? { seq, hash } : null, broken: { auditId, seq: at, problem } });
  for (;;) {
    const { rows } = await client.query(
      `SELECT c.seq::text, c.audit_id::text, encode(c.prev_hash, 'hex') AS prev, encode(c.hash, 'hex') AS hash,
              a.id IS NOT NULL AS present, encode(tm_audit_hash(c.prev_hash, a), 'hex') AS computed
         FROM audit_chain c LEFT JOIN audit_log a ON a.id = c.audit_id
        WHERE c.seq > $1 ORDER BY c.seq LIMIT $2`,
      [seq, BATCH],
    );
    for (const link of rows as { seq: string; audit_id: string; prev: string; hash: string; present: boolean; computed: string | null }[]) {
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
  const { rows: [loose] } = await client.query(
    'SELECT a.id::text FROM audit_log a WHERE NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.audit_id = a.id) ORDER BY a.id LIMIT 1',
  );
  if (loose) return broken(Number(loose.id), null, `审计记录 ${loose.id} 不在链中 (audit row ${loose.id} is not in the chain: written with the trigger disabled)`);
  return { rows: seq, head: seq ? { seq, hash } : null, broken: null };
}

/** `seq:hash` as printed by `npm run audit:verify`. */
export function parseExpect(value: string): { seq: number; hash: string } | null {
  const m = /^(\d+):([0-9a-f]{64})$/.exec(value.trim());
  return m ? { seq: Number(m[1]), hash: m[2] } : null;
}
