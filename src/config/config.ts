import { z } from 'zod';

/** Raised at boot when the environment is unusable; main.ts prints it without a stack trace. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`配置错误 / invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

const timeZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be an IANA time zone such as Asia/Shanghai' },
);

// Five or six space-separated cron fields; Bull (cron-parser) checks the rest when the schedule is registered.
const cron = z.string().regex(/^\s*(\S+\s+){4,5}\S+\s*$/, 'must be a cron pattern such as "0 6 * * *"');

const schema = z.object({
  DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://postgres@127.0.0.1:5432/target_monitor'),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379/0'),
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]{1,64}$/, 'letters, digits, : _ - only').default('tm'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  APP_ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  APP_URL: url(['http:', 'https:']).optional(),
  SEED: booleanFlag.default(true),
  EVALUATION_CRON: cron.default('0 6 * * *'),
  SCHEDULE_TZ: timeZone.default('Asia/Shanghai'),
  EVALUATION_CHUNK_SIZE: z.coerce.number().int().min(1).max(50_000).default(5000),
  JOB_BACKOFF_MS: z.coerce.number().int().min(1).max(600_000).default(2000),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose', 'silent']).default('log'),
});

export interface AppConfig {
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  port: number;
  host: string;
  role: 'all' | 'api' | 'worker';
  appUrl: string;
  seed: boolean;
  evaluationCron: string;
  scheduleTz: string;
  chunkSize: number;
  jobBackoffMs: number;
  logLevel: 'error' | 'warn' | 'log' | 'debug' | 'verbose' | 'silent';
}

/** The only reader of the environment: validated once, at boot. Empty strings count as unset. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const raw = Object.fromEntries(
    Object.keys(schema.shape).map((key) => [key, env[key] === '' ? undefined : env[key]]),
  );
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const key = String(issue.path[0]);
        return `${key}=${JSON.stringify(env[key] ?? '')}: ${issue.message}`;
      }),
    );
  }
  const c = parsed.data;
  return {
    databaseUrl: c.DATABASE_URL,
    redisUrl: c.REDIS_URL,
    queuePrefix: c.QUEUE_PREFIX,
    port: c.PORT,
    host: c.HOST,
    role: c.APP_ROLE,
    appUrl: (c.APP_URL ?? `http://localhost:${c.PORT}`).replace(/\/+$/, ''),
    seed: c.SEED,
    evaluationCron: c.EVALUATION_CRON.trim(),
    scheduleTz: c.SCHEDULE_TZ,
    chunkSize: c.EVALUATION_CHUNK_SIZE,
    jobBackoffMs: c.JOB_BACKOFF_MS,
    logLevel: c.LOG_LEVEL,
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
