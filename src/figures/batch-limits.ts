import type { FastifyInstance } from 'fastify';
import { API_PREFIX } from '../api-prefix.js';

/** Most figures one `POST /figures/batch` takes (a spreadsheet import takes as many: MAX_ROWS). */
export const BATCH_MAX_FIGURES = 100_000;

/** Largest body of `POST /figures/batch` (100 000 figures with notes); other routes keep BODY_LIMIT. */
export const BATCH_BODY_LIMIT = 32 * 1024 * 1024;

export const BATCH_URL = `/${API_PREFIX}/figures/batch`;

/** `POST /figures/batch`'s own body limit; Fastify reads it when the route is added, so install before `app.init()`. */
export function allowLargeBatchBodies(fastify: FastifyInstance): void {
  fastify.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (route.url === BATCH_URL && methods.includes('POST')) route.bodyLimit = BATCH_BODY_LIMIT;
  });
}
