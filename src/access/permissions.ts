import { DomainError } from '../common/domain-error.js';
import type { Actor, Role } from './actor.js';

/** Who may do what; the services ask, so the API, the pages and the jobs share one answer. */
export type Permission =
  | 'targets.write' | 'departments.write' | 'figures.write.any' | 'runs.start' | 'users.manage' | 'audit.read'
  | 'alerts.manage' | 'figures.review';

const GRANTS: Record<Permission, readonly Role[]> = {
  'targets.write': ['admin', 'planner'],
  'departments.write': ['admin', 'planner'],
  'figures.write.any': ['admin', 'planner'],
  'runs.start': ['admin', 'planner'],
  'users.manage': ['admin'],
  'audit.read': ['admin', 'planner'],
  /** silences, recipients, digests, the outbox */
  'alerts.manage': ['admin', 'planner'],
  /** approve or return the figures departments submitted (审核) */
  'figures.review': ['admin', 'planner'],
};

export const can = (actor: Actor, permission: Permission) => GRANTS[permission].includes(actor.role);

const ROLE_ZH: Record<Role, string> = { admin: '管理员', planner: '规划处', department: '责任单位', viewer: '只读' };
const ACTION: Record<Permission, [string, string]> = {
  'targets.write': ['修改指标', 'change targets'], 'departments.write': ['修改责任单位', 'change departments'],
  'figures.write.any': ['填报其他单位的数据', "enter other departments' figures"], 'runs.start': ['启动评估', 'start evaluations'],
  'users.manage': ['管理用户', 'manage users'], 'audit.read': ['查看审计记录', 'read the audit trail'],
  'alerts.manage': ['管理预警', 'manage alerts'],
  'figures.review': ['审核填报数据', 'review submitted figures'],
};

/** Refused in words: 您的账号（责任单位）无权修改指标. */
export function assertCan(actor: Actor, permission: Permission): void {
  if (!can(actor, permission)) {
    const [zh, en] = ACTION[permission];
    throw forbidden(`您的账号（${ROLE_ZH[actor.role]}）无权${zh} (a ${actor.role} account may not ${en})`);
  }
}

/** Figures of a target: admins and planners any; a department those its department leads or supports. */
export function canWriteFigures(actor: Actor, target: { departmentId: number; supportingIds: number[] }): boolean {
  if (can(actor, 'figures.write.any')) return true;
  return actor.role === 'department' && actor.departmentId !== null &&
    (target.departmentId === actor.departmentId || target.supportingIds.includes(actor.departmentId));
}

export const forbidden = (message: string, path?: string) =>
  new DomainError('forbidden', message, path ? [{ path, message }] : []);
