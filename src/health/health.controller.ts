import { InjectQueue } from '@nestjs/bull';
import { Controller, Get, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import type { FastifyReply } from 'fastify';
import type { DataSource } from 'typeorm';
import { Public } from '../auth/current-actor.decorator.js';
import { EVALUATION_QUEUE } from '../jobs/jobs.constants.js';

type Check = 'up' | 'down';

const within = <T>(ms: number, work: Promise<T>) =>
  Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);

const probe = (work: () => Promise<unknown>): Promise<Check> =>
  within(2000, work()).then(() => 'up' as const, () => 'down' as const);

@ApiTags('health 健康检查')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(EVALUATION_QUEUE) private readonly queue: Queue,
  ) {}

  /** 200 when PostgreSQL and Redis answer; 503 naming the one that does not. */
  @Get()
  async health(@Res({ passthrough: true }) reply: FastifyReply) {
    const [database, redis] = await Promise.all([
      probe(() => this.dataSource.query('SELECT 1')),
      probe(() => this.queue.client.ping()),
    ]);
    const status = database === 'up' && redis === 'up' ? 'ok' : 'degraded';
    if (status !== 'ok') void reply.status(503);
    return { status, checks: { database, redis } };
  }
}
