import { InjectQueue } from '@nestjs/bull';
import { type BeforeApplicationShutdown, Controller, Get, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Queue } from 'bull';
import type { FastifyReply } from 'fastify';
import { Public } from '../access/current-actor.decorator.js';
import { EVALUATION_QUEUE } from '../jobs/jobs.constants.js';
import { pingRedis, queueClient, queueConnected } from '../jobs/redis.js';
import { Returns } from '../contract/returns.js';
import type { HealthJson } from './health-json.js';
import { HealthStore } from './health.store.js';

type Check = NonNullable<HealthJson['checks']>['database'];

const within = <T>(ms: number, work: Promise<T>) =>
  Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);

const probe = (work: () => Promise<unknown>): Promise<Check> =>
  within(2000, work()).then(() => 'up' as const, () => 'down' as const);

@ApiTags('health 健康检查')
@Public()
@Controller('health')
export class HealthController implements BeforeApplicationShutdown {
  /** set when the process begins a graceful shutdown: a load balancer stops sending requests here */
  private stopping = false;

  constructor(
    private readonly store: HealthStore,
    @InjectQueue(EVALUATION_QUEUE) private readonly queue: Queue,
  ) {}

  /** `ok`; `degraded` (200) without Redis; `down` (503) without PostgreSQL; `stopping` (503) while shutting down. */
  @Get()
  @Returns('Health')
  @Returns('Health', 503, '数据库不可用或正在停机，checks 指出哪一项 (PostgreSQL down, or shutting down)')
  async health(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthJson> {
    if (this.stopping) {
      void reply.status(503);
      return { status: 'stopping' };
    }
    const [database, redis] = await Promise.all([
      probe(() => this.store.ping()),
      // A disconnected client would queue the PING: say `down` at once. A cluster needs cluster_state:ok.
      queueConnected(this.queue) ? probe(() => pingRedis(queueClient(this.queue))) : Promise.resolve<Check>('down'),
    ]);
    const status = database === 'down' ? 'down' : redis === 'down' ? 'degraded' : 'ok';
    if (status === 'down') void reply.status(503);
    const reevaluationsWaiting = database === 'up'
      ? await within(2000, this.store.reevaluationsWaiting()).catch(() => null)
      : null;
    return { status, checks: { database, redis }, reevaluationsWaiting };
  }

  beforeApplicationShutdown(): void {
    this.stopping = true;
  }
}
