import type { Role } from '../access/actor.js';

/** Who the credentials belong to, and whether they are a login session or an API token. */
export interface MeJson { id: number | null; email: string; role: Role; via: 'api-token' | 'session' }
