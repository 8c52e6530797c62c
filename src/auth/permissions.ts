import { DomainError } from '../common/domain-error.js';
import type { Actor, Role } from './actor.js';

/** Who may do what; the services ask, so the API, the pages and the jobs share one answer. */
export type Permission =
  | 'targets.write' | 'departments.write' | 'figures.write.any' | 'runs.start' | 'users.manage' | 'audit.read'
  | 'alerts.manage';

const GRANTS: Record<Permission, readonly Role[]> = {
  'targets.write': ['admin', 'planner'],
  'departments.write': ['admin', 'planner'],
  'figures.write.any': ['admin', 'planner'],
  'runs.start': ['admin', 'planner'],
  'users.manage': ['admin'],
  'audit.read': ['admin', 'planner'],
  /** silences, recipients, digests, the outbox */
  'alerts.manage': ['admin', 'planner'],
};

export const can = (actor: Actor, permission: Permission) => GRANTS[permission].includes(actor.role);

export function assertCan(actor: Actor, permission: Permission): void {
  if (!can(actor, permission)) throw forbidden(`角色 ${actor.role} 无权执行此操作 (role ${actor.role} may not ${permission})`);
}

/** Figures of a target: admins and planners any; a department those its department leads or supports. */
export function canWriteFigures(actor: Actor, target: { departmentId: number; supportingIds: number[] }): boolean {
  if (can(actor, 'figures.write.any')) return true;
  return actor.role === 'department' && actor.departmentId !== null &&
    (target.departmentId === actor.departmentId || target.supportingIds.includes(actor.departmentId));
}

export const forbidden = (message: string, path?: string) =>
  new DomainError('forbidden', message, path ? [{ path, message }] : []);
