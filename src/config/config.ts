import { isIP } from 'node:net';
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

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** `7d`, `12h`, `30m`, `45s` → milliseconds. */
const duration = z
  .string()
  .regex(/^\d+[smhd]$/, 'a duration such as 7d, 12h, 30m or 45s')
  .transform((v) => Number(v.slice(0, -1)) * UNIT_MS[v.slice(-1) as keyof typeof UNIT_MS]);

/** Which proxies to believe; `true` is refused (a forged X-Forwarded-For would reach lockout and audit). */
export type TrustProxy = false | number | string[];

/** Fastify's trustProxy; a hop count becomes a function, as Fastify refuses a bare number. */
export function fastifyTrustProxy(trust: TrustProxy): false | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust !== 'number') return trust;
  return (_address, hop) => hop < trust;
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
function isProxyAddress(entry: string): boolean {
  if (PROXY_NAMES.has(entry)) return true;
  const [address, bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

const trustProxy = z
  .string()
  .trim()
  .refine((v) => !/^(true|yes)$/i.test(v),
    'true would believe every hop, so any client could name its own address: give the number of proxies in front of the app (e.g. 1) or their addresses (e.g. 10.0.0.5,10.0.1.0/24)')
  .transform((v, ctx): TrustProxy => {
    if (/^(false|no|0)$/i.test(v)) return false;
    if (/^\d+$/.test(v)) {
      const hops = Number(v);
      if (hops <= 10) return hops;
    } else {
      const entries = v.split(',').map((e) => e.trim()).filter(Boolean);
      if (entries.length && entries.every(isProxyAddress)) return entries;
    }
    ctx.addIssue({ code: 'custom', message: 'false, a number of proxy hops (1 to 10), or comma-separated proxy addresses or CIDR ranges such as 10.0.0.5,10.0.1.0/24' });
    return z.NEVER;
  });

/** A Redis Cluster node, `host:port` (`[::1]:7000` for IPv6). */
export interface RedisNode { host: string; port: number }

function parseNode(value: string): RedisNode | null {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/.exec(value);
  if (!m) return null;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return null;
  return { host: m[1].replace(/^\[(.*)\]$/, '$1'), port };
}

/** Redis Cluster hashes only a key's `{tag}`: a tag in Bull's prefix keeps each queue's keys in one slot. */
export function hashTag(prefix: string): string | null {
  const open = prefix.indexOf('{');
  const close = open < 0 ? -1 : prefix.indexOf('}', open + 1);
  return close > open + 1 ? prefix.slice(open + 1, close) : null;
}

/** Two PostgreSQL URLs name the same database (hosts may differ: a pooler migrations bypass). */
function sameDatabase(a: string, b: string): boolean {
  return new URL(a).pathname === new URL(b).pathname;
}

const schema = z.object({
  DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://postgres@127.0.0.1:5432/target_monitor'),
  // The schema owner (migrations, role grants); unset, DATABASE_URL does everything (development).
  DATABASE_MIGRATION_URL: url(['postgres:', 'postgresql:']).optional(),
  // Streaming replicas of DATABASE_URL's database, comma-separated: pages, exports and lists read there.
  DATABASE_REPLICA_URLS: z
    .string()
    .transform((v) => v.split(',').map((u) => u.trim()).filter(Boolean))
    .refine((urls) => urls.every((u) => URL.canParse(u) && ['postgres:', 'postgresql:'].includes(new URL(u).protocol)),
      'comma-separated postgres:// URLs of streaming replicas')
    .optional(),
  DATABASE_REPLICA_RETRY_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379/0'),
  // Braces allowed for a Redis Cluster hash tag: `{tm}` keeps every key of a queue in one slot.
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9:_{}-]{1,64}$/, 'letters, digits, : _ - { } only').default('tm'),
  // Some nodes of a Redis Cluster (the rest are discovered); REDIS_URL then gives only credentials and TLS.
  REDIS_CLUSTER_NODES: z
    .string()
    .transform((v) => v.split(',').map((n) => n.trim()).filter(Boolean))
    .refine((nodes) => nodes.length > 0 && nodes.every((n) => parseNode(n) !== null),
      'comma-separated host:port of Redis Cluster nodes, such as 10.0.0.1:7000,10.0.0.2:7000')
    .transform((nodes) => nodes.map((n) => parseNode(n)!))
    .optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  APP_ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  APP_URL: url(['http:', 'https:']).optional(),
  SEED: booleanFlag.default(true),
  EVALUATION_CRON: cron.default('0 6 * * *'),
  SCHEDULE_TZ: timeZone.default('Asia/Shanghai'),
  EVALUATION_CHUNK_SIZE: z.coerce.number().int().min(1).max(50_000).default(5000),
  JOB_BACKOFF_MS: z.coerce.number().int().min(1).max(600_000).default(2000),
  JOB_LOCK_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  SCHEDULE_CHECK_MS: z.coerce.number().int().min(1000).max(86_400_000).default(300_000),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose', 'silent']).default('log'),
  NODE_ENV: z.enum(['production', 'development', 'test']).default('development'),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  ACCESS_TOKEN_TTL: z.coerce.number().int().min(30).max(86_400).default(900),
  REFRESH_TOKEN_DAYS: z.coerce.number().int().min(1).max(365).default(14),
  API_TOKEN_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  ADMIN_EMAIL: z.email('must be an email address').optional(),
  ADMIN_PASSWORD: z.string().optional(),
  CORS_ORIGINS: z
    .string()
    .transform((v) => v.split(',').map((o) => o.trim()).filter(Boolean))
    .refine((origins) => origins.every((o) => /^https?:\/\/[^/\s]+$/.test(o)), 'comma-separated origins such as https://plan.example.org')
    .default([]),
  TRUST_PROXY: trustProxy.default(false),
  SMTP_URL: url(['smtp:', 'smtps:']).default('smtp://127.0.0.1:1025'),
  MAIL_FROM: z.string().min(3).default('目标进度监测 <target-monitor@example.org>'),
  DIGEST_CRON: cron.default('0 9 * * 1'),
  REMINDER_CRON: cron.default('0 9 * * *'),
  ALERT_REPEAT_INTERVAL: duration.prefault('7d'),
  REMINDER_DAYS_BEFORE: z.coerce.number().int().min(0).max(60).default(5),
  MAIL_ATTEMPTS: z.coerce.number().int().min(1).max(1000).default(40),
  MAIL_RETRY_CAP_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').regex(/^\S+$/, 'no spaces').optional(),
  // Production serves /metrics only with METRICS_TOKEN, unless this says an open /metrics is intended.
  METRICS_PUBLIC: booleanFlag.default(false),
  IMPORT_MAX_UNPACKED_MB: z.coerce.number().int().min(1).max(2048).default(100),
  IMPORT_MAX_CELLS: z.coerce.number().int().min(1000).max(50_000_000).default(2_000_000),
  IMPORT_PARSE_WORKERS: z.coerce.number().int().min(1).max(16).default(2),
  FIGURE_REVIEW: z.enum(['on', 'off']).default('on'),
  EXPLANATION_DUE_DAYS: z.coerce.number().int().min(1).max(90).default(10),
  EVIDENCE_MAX_MB: z.coerce.number().int().min(1).max(500).default(20),
});

const SECRETS = new Set(['JWT_SECRET', 'ADMIN_PASSWORD', 'METRICS_TOKEN']);

/** Signs access tokens outside production only; production must set JWT_SECRET. */
const DEV_JWT_SECRET = 'target-monitor-development-secret-never-for-production';

export interface AppConfig {
  /** the app's own connection: at most the privileges src/database/roles.ts grants */
  databaseUrl: string;
  /** the schema owner's: database creation, migrations, grants, seeds (DATABASE_URL when unset) */
  migrationUrl: string;
  /** streaming replicas for reads that may lag a moment (pages, exports, lists); empty: all from the primary */
  replicaUrls: string[];
  /** how long a replica that stopped answering is left out before it is tried again */
  replicaRetryMs: number;
  redisUrl: string;
  /** set: every Redis connection is an ioredis Cluster over these nodes (REDIS_URL gives only credentials and TLS) */
  redisClusterNodes: RedisNode[] | undefined;
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
  /** how long a job a worker took stays its own without a renewal; a dead worker's jobs run again after it */
  jobLockMs: number;
  /** how often a worker checks that its schedules and unsent emails are still queued in Redis */
  scheduleCheckMs: number;
  logLevel: 'error' | 'warn' | 'log' | 'debug' | 'verbose' | 'silent';
  production: boolean;
  jwtSecret: string;
  accessTokenSeconds: number;
  refreshTokenDays: number;
  /** an API token's lifetime when created or renewed, days: the default and the longest allowed */
  apiTokenDays: number;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  corsOrigins: string[];
  /** Fastify's trustProxy: false, a hop count, or the proxies' addresses / CIDR ranges */
  trustProxy: TrustProxy;
  smtpUrl: string;
  mailFrom: string;
  digestCron: string;
  reminderCron: string;
  alertRepeatMs: number;
  reminderDaysBefore: number;
  mailAttempts: number;
  /** the longest wait between two send attempts: after an SMTP outage, mail goes within this of its end */
  mailRetryCapMs: number;
  /** GET /metrics needs `Authorization: Bearer <it>` when set; open when unset */
  metricsToken: string | undefined;
  /** what the parts of an uploaded .xlsx that are read may unpack to (MB), counted as they inflate */
  importMaxUnpackedMb: number;
  /** filled cells the sheet of an uploaded .xlsx may hold */
  importMaxCells: number;
  /** worker threads parsing uploads at once (more uploads wait their turn) */
  importParseWorkers: number;
  /** a department's figure waits for a planner's approval before it counts (FIGURE_REVIEW=on) */
  figureReview: boolean;
  /** days after the run that flagged a target its explanation (情况说明) is due */
  explanationDueDays: number;
  /** the largest evidence file (佐证材料) accepted, in bytes */
  evidenceMaxBytes: number;
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
        const shown = SECRETS.has(key) ? '(hidden)' : JSON.stringify(env[key] ?? '');
        return `${key}=${shown}: ${issue.message}`;
      }),
    );
  }
  const c = parsed.data;
  if (c.NODE_ENV === 'production' && !c.JWT_SECRET) {
    throw new ConfigError(['JWT_SECRET: required in production (at least 32 random characters)']);
  }
  // Per-route status counts tell an outsider which logins succeeded: never open by omission.
  if (c.NODE_ENV === 'production' && c.APP_ROLE !== 'worker' && !c.METRICS_TOKEN && !c.METRICS_PUBLIC) {
    throw new ConfigError([
      'METRICS_TOKEN: required in production (at least 16 characters; GET /metrics then needs Authorization: Bearer <it>), ' +
      'or METRICS_PUBLIC=true to serve /metrics without one',
    ]);
  }
  if (c.DATABASE_MIGRATION_URL && !sameDatabase(c.DATABASE_MIGRATION_URL, c.DATABASE_URL)) {
    throw new ConfigError([
      `DATABASE_MIGRATION_URL=(hidden): must name the same database as DATABASE_URL (${JSON.stringify(new URL(c.DATABASE_URL).pathname.slice(1))})`,
    ]);
  }
  if (c.REDIS_CLUSTER_NODES && !hashTag(c.QUEUE_PREFIX)) {
    throw new ConfigError([
      `QUEUE_PREFIX=${JSON.stringify(c.QUEUE_PREFIX)}: on a Redis Cluster (REDIS_CLUSTER_NODES) it needs a hash tag, ` +
      'such as {tm}, so that every key of a queue lands in one slot',
    ]);
  }
  return {
    databaseUrl: c.DATABASE_URL,
    migrationUrl: c.DATABASE_MIGRATION_URL ?? c.DATABASE_URL,
    replicaUrls: c.DATABASE_REPLICA_URLS ?? [],
    replicaRetryMs: c.DATABASE_REPLICA_RETRY_MS,
    redisUrl: c.REDIS_URL,
    redisClusterNodes: c.REDIS_CLUSTER_NODES,
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
    jobLockMs: c.JOB_LOCK_MS,
    scheduleCheckMs: c.SCHEDULE_CHECK_MS,
    logLevel: c.LOG_LEVEL,
    production: c.NODE_ENV === 'production',
    jwtSecret: c.JWT_SECRET ?? DEV_JWT_SECRET,
    accessTokenSeconds: c.ACCESS_TOKEN_TTL,
    refreshTokenDays: c.REFRESH_TOKEN_DAYS,
    apiTokenDays: c.API_TOKEN_DAYS,
    adminEmail: c.ADMIN_EMAIL,
    adminPassword: c.ADMIN_PASSWORD,
    corsOrigins: c.CORS_ORIGINS,
    trustProxy: c.TRUST_PROXY,
    smtpUrl: c.SMTP_URL,
    mailFrom: c.MAIL_FROM,
    digestCron: c.DIGEST_CRON.trim(),
    reminderCron: c.REMINDER_CRON.trim(),
    alertRepeatMs: c.ALERT_REPEAT_INTERVAL,
    reminderDaysBefore: c.REMINDER_DAYS_BEFORE,
    mailAttempts: c.MAIL_ATTEMPTS,
    mailRetryCapMs: c.MAIL_RETRY_CAP_MS,
    metricsToken: c.METRICS_TOKEN,
    importMaxUnpackedMb: c.IMPORT_MAX_UNPACKED_MB,
    importMaxCells: c.IMPORT_MAX_CELLS,
    importParseWorkers: c.IMPORT_PARSE_WORKERS,
    figureReview: c.FIGURE_REVIEW === 'on',
    explanationDueDays: c.EXPLANATION_DUE_DAYS,
    evidenceMaxBytes: c.EVIDENCE_MAX_MB * 1024 * 1024,
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
