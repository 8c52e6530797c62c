import type { Status } from '../evaluation/evaluation.types.js';
import type { AlertKind } from './alert-rules.js';

/** An alert with what the emails and the API show of it. */
export interface AlertView {
  id: number;
  targetId: number;
  kind: AlertKind;
  state: 'firing' | 'resolved';
  inhibited: boolean;
  silenced: boolean;
  firingSince: Date;
  resolvedAt: Date | null;
  lastNotifiedAt: Date | null;
  binding: boolean;
  departmentId: number;
  department: string;
  supportingIds: number[];
  row: AlertTargetRow;
}

/** A target as an alert shows it: its goal and its latest evaluation. */
export interface AlertTargetRow {
  code: string;
  name: string;
  unit: string;
  target: number;
  targetPeriod: string;
  latestValue: number | null;
  latestPeriod: string | null;
  completion: number | null;
  elapsed: number | null;
  gap: number | null;
  status: Status;
  early: boolean;
  kind: AlertKind;
}
