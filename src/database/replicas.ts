import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import { isDatabaseUnavailable } from '../common/database-errors.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';

/** A TypeORM query runner's connection, set from outside: TypeORM keeps these protected. */
interface RunnerConnection { databaseConnection: pg.PoolClient; releaseCallback: (error?: Error) => void }

/** Reads that may lag go to the replicas in turn, skipping a silent one for a while; the rest stays on the primary. */
@Injectable()
export class ReadReplicas {
  private readonly logger = new Logger('ReadReplicas');
  private readonly downUntil = new Map<number, number>();
  private next = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** `work` with an EntityManager reading from a replica that answers, else from the primary. */
  async run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const pools = ((this.dataSource.driver as PostgresDriver).slaves ?? []) as pg.Pool[];
    for (let k = 0; k < pools.length; k++) {
      const i = (this.next + k) % pools.length;
      const until = this.downUntil.get(i);
      if (until !== undefined && until > Date.now()) continue;
      const runner = this.dataSource.createQueryRunner('slave');
      try {
        // This replica's connection, not one TypeORM would draw at random; given back on release.
        const client = await pools[i]!.connect();
        Object.assign(runner as unknown as RunnerConnection, { databaseConnection: client, releaseCallback: (e?: Error) => client.release(e) });
        const result = await work(runner.manager);
        this.next = i + 1;
        if (until !== undefined) {
          this.downUntil.delete(i);
          this.logger.log(`只读副本 ${i + 1} 已恢复 (replica ${i + 1} answers again)`);
        }
        return result;
      } catch (error) {
        if (!isDatabaseUnavailable(error)) throw error;
        this.downUntil.set(i, Date.now() + this.config.replicaRetryMs);
        this.logger.warn(`只读副本 ${i + 1} 无响应，暂改读主库 (replica ${i + 1} left out for ${this.config.replicaRetryMs} ms): ${(error as Error).message}`);
      } finally {
        await runner.release();
      }
    }
    return work(this.dataSource.manager);
  }
}
