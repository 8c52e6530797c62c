import { FLAGGED_STATUSES, type Status } from '../evaluation/evaluation.types.js';

export type AlertKind = 'lagging' | 'at_risk' | 'data_overdue';
export const ALERT_KINDS: readonly AlertKind[] = ['lagging', 'at_risk', 'data_overdue'];

export interface EvaluatedTarget {
  targetId: number;
  status: Status;
  overdue: boolean;
}

export interface AlertState {
  id: number;
  targetId: number;
  kind: AlertKind;
  state: 'firing' | 'resolved';
  inhibited: boolean;
  status: string | null;
}

/** One change per (target, kind) at most, each carrying the current status (so inhibit/release update it too). */
export type AlertChange =
  | { change: 'fire'; targetId: number; kind: AlertKind; status: Status; inhibited: boolean; alertId: number | null }
  | { change: 'resolve'; alertId: number; targetId: number; kind: AlertKind; status: Status }
  | { change: 'inhibit' | 'release'; alertId: number; targetId: number; kind: AlertKind; status: Status }
  | { change: 'status'; alertId: number; targetId: number; kind: AlertKind; status: Status };

export function alertFires(kind: AlertKind, e: EvaluatedTarget): boolean {
  if (kind === 'lagging') return FLAGGED_STATUSES.includes(e.status);
  if (kind === 'at_risk') return e.status === 'at_risk';
  return e.overdue;
}

/** A status resting on overdue data is stale, so its alerts are held back while data_overdue fires. */
export function alertInhibited(kind: AlertKind, e: EvaluatedTarget): boolean {
  return kind !== 'data_overdue' && e.overdue;
}

const key = (targetId: number, kind: AlertKind) => `${targetId}|${kind}`;

export function reconcileAlerts(current: AlertState[], evaluations: EvaluatedTarget[]): AlertChange[] {
  const rows = new Map<string, AlertState>();
  for (const row of current) {
    const k = key(row.targetId, row.kind);
    const seen = rows.get(k);
    // Should there be several rows for one (target, kind), the firing one is the live one.
    if (!seen || (seen.state !== 'firing' && row.state === 'firing')) rows.set(k, row);
  }
  const latest = new Map<number, EvaluatedTarget>();
  for (const e of evaluations) latest.set(e.targetId, e);

  const changes: AlertChange[] = [];
  for (const e of [...latest.values()].sort((a, b) => a.targetId - b.targetId)) {
    const { targetId, status } = e;
    for (const kind of ALERT_KINDS) {
      const row = rows.get(key(targetId, kind));
      const inhibited = alertInhibited(kind, e);
      if (!alertFires(kind, e)) {
        if (row?.state === 'firing') changes.push({ change: 'resolve', alertId: row.id, targetId, kind, status });
      } else if (!row || row.state === 'resolved') {
        changes.push({ change: 'fire', targetId, kind, status, inhibited, alertId: row?.id ?? null });
      } else if (row.inhibited !== inhibited) {
        changes.push({ change: inhibited ? 'inhibit' : 'release', alertId: row.id, targetId, kind, status });
      } else if (row.status !== status) {
        changes.push({ change: 'status', alertId: row.id, targetId, kind, status });
      }
    }
  }
  return changes;
}
