import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import type { Actor } from '../access/actor.js';
import { ChannelListener } from '../database/channel-listener.js';

/** The channel the `AuthChangeNotify` migration's triggers notify on every change that can end a credential. */
export const AUTH_CHANNEL = 'tm_auth';
/** How long a checked credential is trusted without asking PostgreSQL again, at most. */
export const AUTH_CACHE_MS = 30_000;
/** Entries kept at most; past it the oldest go first. */
export const AUTH_CACHE_ENTRIES = 10_000;
const RECONNECT_MS = [250, 1_000, 5_000];

interface Entry { actor: Omit<Actor, 'ip'>; until: number }

/**
 * Credentials already checked against PostgreSQL. Revocation stays immediate across processes: triggers
 * NOTIFY tm_auth and every process drops its cache; while LISTEN is down the cache is bypassed, and a
 * generation counter keeps a check that raced an invalidation from caching a stale answer.
 */
@Injectable()
export class AuthCache implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(AuthCache.name);
  private readonly entries = new Map<string, Entry>();
  private generation = 0;
  private listener: ChannelListener | null = null;
  private listening = false;
  private closed = false;
  private attempts = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    if (this.config.role === 'worker') return; // no HTTP, no credentials to check
    await this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.drop();
    await this.listener?.end().catch(() => undefined);
  }

  /** Whether answers are being cached (the LISTEN connection is up). */
  get active(): boolean {
    return this.listening && !this.closed;
  }

  /** The generation to pass to `set` after checking a credential in the database. */
  get current(): number {
    return this.generation;
  }

  get(key: string, ip: string | null): Actor | null {
    if (!this.active) return null;
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.until <= Date.now()) {
      this.entries.delete(key);
      return null;
    }
    const { userId, email, role, departmentId, sessionId, tokenId } = entry.actor;
    // One literal of a fixed shape: no spread of the stored object on the hot path.
    const actor: Actor = { userId, email, role, departmentId, ip };
    if (sessionId !== undefined) actor.sessionId = sessionId;
    if (tokenId !== undefined) actor.tokenId = tokenId;
    return actor;
  }

  /** Caches until the credential's expiry or AUTH_CACHE_MS, unless an invalidation came since `generation`. */
  set(key: string, generation: number, actor: Actor, expiresAt: Date | null = null): void {
    if (!this.active || generation !== this.generation) return;
    const until = Math.min(Date.now() + AUTH_CACHE_MS, expiresAt ? expiresAt.getTime() : Infinity);
    if (this.entries.size >= AUTH_CACHE_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    const { userId, email, role, departmentId, sessionId, tokenId } = actor;
    this.entries.set(key, { actor: { userId, email, role, departmentId, sessionId, tokenId }, until });
  }

  /** Forgets every cached credential (after a change in this process; other processes hear the NOTIFY). */
  invalidate(): void {
    this.drop();
  }

  private drop(): void {
    this.generation++;
    this.entries.clear();
  }

  private async listen(): Promise<void> {
    if (this.closed) return;
    const client: ChannelListener = new ChannelListener(this.config.databaseUrl, `target-monitor auth-listen ${process.pid}`, AUTH_CHANNEL, {
      notification: () => this.drop(),
      lost: (error) => this.lost(client, error),
    });
    try {
      await client.start();
    } catch (error) {
      this.lost(client, error as Error);
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
    this.drop(); // whatever changed while not listening
    this.listening = true;
    if (this.attempts > 0) this.logger.log('凭据缓存已恢复 (credential cache listening again)');
    this.attempts = 0;
  }

  private lost(client: ChannelListener, error: Error | null): void {
    if (this.listener && this.listener !== client) return; // an old client's late event
    const wasListening = this.listening;
    this.listening = false;
    this.listener = null;
    this.drop();
    void client.end().catch(() => undefined);
    if (this.closed || this.timer) return;
    if (wasListening) this.logger.warn(`凭据缓存暂停，每次请求查询数据库 (credential cache off until LISTEN is back): ${error?.message ?? 'connection ended'}`);
    const delay = RECONNECT_MS[Math.min(this.attempts++, RECONNECT_MS.length - 1)];
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.listen();
    }, delay);
    this.timer.unref();
  }
}
