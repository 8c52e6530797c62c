/**
 * The reference for `npm run bench:api`: bare Fastify + pg, no Nest, no TypeORM, no auth, no logging,
 * doing the primary-key read the app's `GET /api/v1/targets/{code}` does — the same SQL text
 * (TARGET_BY_CODE_SQL: the target by its unique code with its departments and milestones), also as a
 * prepared statement — and sending the row as JSON. `DATABASE_URL=… PORT=… node dist/bench/bare-server.js`;
 * prints `listening <port>` when ready.
 */
import Fastify from 'fastify';
import pg from 'pg';
import { TARGET_BY_CODE_SQL } from '../src/targets/targets.store.js';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const app = Fastify({ logger: false });

app.get<{ Params: { code: string } }>('/targets/:code', async (request, reply) => {
  const { rows } = await pool.query({ name: 'target_by_code', text: TARGET_BY_CODE_SQL, values: [request.params.code] });
  if (!rows.length) return reply.status(404).send({ status: 404 });
  return rows[0];
});

const shutdown = () => void app.close().then(() => pool.end()).finally(() => process.exit(0));
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

const address = await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
console.log(`listening ${new URL(address).port}`);
