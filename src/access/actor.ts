export type Role = 'admin' | 'planner' | 'department' | 'viewer';
export const ROLES: readonly Role[] = ['admin', 'planner', 'department', 'viewer'];

/** Who is acting: a signed-in user, a script with a personal API token, or the system (jobs, seeds). */
export interface Actor {
  userId: number | null;
  email: string;
  role: Role;
  departmentId: number | null;
  ip: string | null;
  sessionId?: string;
  tokenId?: string;
}

export const SYSTEM_ACTOR: Actor = { userId: null, email: 'system', role: 'admin', departmentId: null, ip: null };
