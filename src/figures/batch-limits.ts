import type { FastifyInstance } from 'fastify';
import { API_PREFIX } from '../api-prefix.js';

/** Most figures one `POST /figures/batch` takes (a spreadsheet import takes as many: MAX_ROWS). */
export const BATCH_MAX_FIGURES = 100_000;

/**
 * Largest body of `POST /figures/batch`: 100 000 figures are ~10 MB of JSON with short notes, so 32 MB
 * leaves room for notes and sources. Every other JSON route keeps the app's 1 MB (BODY_LIMIT).
 */
export const BATCH_BODY_LIMIT = 32 * 1024 * 1024;

export const BATCH_URL = `/${API_PREFIX}/figures/batch`;

/**
 * Gives `POST /figures/batch` its own body limit. Fastify reads a route's `bodyLimit` when the route is
 * added, and Nest adds its routes in `app.init()`, so this `onRoute` hook must be in place before that
 * (createApp calls it on the adapter's instance). The JSON parser Nest registers carries the app-wide
 * limit; a route's own limit takes precedence over it.
 */
export function allowLargeBatchBodies(fastify: FastifyInstance): void {
  fastify.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (route.url === BATCH_URL && methods.includes('POST')) route.bodyLimit = BATCH_BODY_LIMIT;
  });
}
