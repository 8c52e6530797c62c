type Check = 'up' | 'down';

/**
 * `ok` when PostgreSQL and Redis answer; `degraded` when only Redis does not; `down` when PostgreSQL does not;
 * `stopping` during a graceful shutdown (then without checks).
 */
export interface HealthJson {
  status: 'ok' | 'degraded' | 'down' | 'stopping';
  checks?: { database: Check; redis: Check };
  /** figures whose re-evaluation waits in PostgreSQL for Redis; null when the database does not answer */
  reevaluationsWaiting?: number | null;
}
