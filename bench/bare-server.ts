/**
 * The reference for `npm run bench:api`: bare Fastify + pg, no Nest, no TypeORM, no auth, doing the
 * primary-key read the app's `GET /api/v1/targets/{code}` does (the target by its unique code, with its
 * department). `DATABASE_URL=… PORT=… node --import @swc-node/register/esm-register bench/bare-server.ts`;
 * prints `listening <port>` when ready.
 */
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const app = Fastify({ logger: false });

app.get<{ Params: { code: string } }>('/targets/:code', async (request, reply) => {
  const { rows } = await pool.query(
    `SELECT t.*, d.code AS department_code, d.name AS department_name
       FROM targets t JOIN departments d ON d.id = t.department_id WHERE t.code = $1`,
    [request.params.code],
  );
  if (!rows.length) return reply.status(404).send({ status: 404 });
  return rows[0];
});

const shutdown = () => void app.close().then(() => pool.end()).finally(() => process.exit(0));
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

const address = await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
console.log(`listening ${new URL(address).port}`);
