import { appendFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/**
 * Every API response an e2e app gives is checked against the OpenAPI document it publishes (issue 14):
 * the operation exists, the status is declared, the content type is declared for that status, and a
 * JSON body validates against the declared schema. `startApp` records; its `close` checks and fails the
 * file on any mismatch. CONTRACT_REPORT=<file> also appends each observation as a JSON line.
 */

export interface Observed {
  method: string;
  url: string;
  status: number;
  contentType: string;
  body: string;
}

type Media = { schema?: object };
type Response = { content?: Record<string, Media> };
type Operation = { responses: Record<string, Response> };
type Spec = { paths: Record<string, Record<string, Operation>> };

const API = '/api/v1/';

/** Records the API responses of `server` (a Node HTTP server) from now on. */
export function recordResponses(server: Server): Observed[] {
  const seen: Observed[] = [];
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!req.url?.startsWith(API)) return;
    const chunks: Buffer[] = [];
    let headType: string | undefined;
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
    res.writeHead = ((...args: unknown[]) => {
      const headers = args.find((a, i) => i > 0 && a && typeof a === 'object') as Record<string, unknown> | undefined;
      const type = headers && Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1];
      if (type !== undefined) headType = String(type);
      return writeHead(...args);
    }) as typeof res.writeHead;
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    const keep = (chunk: unknown, encoding?: unknown) => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
    };
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      keep(chunk, rest[0]);
      return write(chunk, ...rest);
    }) as typeof res.write;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      keep(chunk, rest[0]);
      seen.push({
        method: req.method ?? 'GET',
        url: req.url!,
        status: res.statusCode,
        contentType: String(res.getHeader('content-type') ?? headType ?? ''),
        body: Buffer.concat(chunks).toString('utf8'),
      });
      return end(chunk, ...rest);
    }) as typeof res.end;
  });
  return seen;
}

interface Route {
  template: string;
  pattern: RegExp;
  literals: number;
}

function routesOf(spec: Spec): Route[] {
  return Object.keys(spec.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`),
    literals: template.split('/').filter((s) => s && !s.startsWith('{')).length,
  }));
}

const mediaType = (contentType: string) => contentType.split(';')[0].trim().toLowerCase();

const decodes = (path: string) => {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
};

/** The mismatches between what was observed and the document; empty when all agree. */
export async function checkContract(document: object, observed: readonly Observed[]): Promise<string[]> {
  if (process.env.CONTRACT_REPORT) {
    for (const o of observed) appendFileSync(process.env.CONTRACT_REPORT, `${JSON.stringify({ ...o, body: o.body.slice(0, 300) })}\n`);
  }
  const spec = (await SwaggerParser.dereference(structuredClone(document) as never)) as unknown as Spec;
  const routes = routesOf(spec).sort((a, b) => b.literals - a.literals);
  const ajv = new Ajv2020({ strict: false, allErrors: false });
  addFormats.default(ajv);
  const compiled = new Map<object, ValidateFunction>();
  const problems: string[] = [];
  for (const o of observed) {
    const path = o.url.split('?')[0];
    const where = `${o.method} ${path} → ${o.status}`;
    // answered by Fastify before any route is chosen, for every address alike (a parameter over the
    // length limit, broken percent-encoding): not an operation's answer, but still problem+json
    if (o.status === 414 || (o.status === 400 && !decodes(path))) {
      if (mediaType(o.contentType) !== 'application/problem+json') problems.push(`${where}: framework error not problem+json`);
      continue;
    }
    const route = routes.find((r) => r.pattern.test(path));
    const operation = route && spec.paths[route.template][o.method.toLowerCase()];
    // addresses and methods the API does not have: nothing to declare (404/405 from the router)
    if (!operation) {
      if (o.status !== 404 && o.status !== 405) problems.push(`${where}: no such operation in the document`);
      continue;
    }
    const response = operation.responses[String(o.status)] ?? operation.responses[`${String(o.status)[0]}XX`] ?? operation.responses.default;
    if (!response) {
      problems.push(`${where}: status not declared (declared: ${Object.keys(operation.responses).join(', ')})`);
      continue;
    }
    if (!o.body.length) continue;
    const declared = Object.keys(response.content ?? {});
    const media = mediaType(o.contentType);
    const match = declared.find((d) => d === media || (d.endsWith('/*') && media.startsWith(d.slice(0, -1))));
    if (!match) {
      problems.push(`${where}: body of type ${media || '(none)'} not declared (declared: ${declared.join(', ') || 'no body'})`);
      continue;
    }
    const schema = response.content![match].schema;
    if (!schema || !/json/.test(media)) continue;
    let validate = compiled.get(schema);
    if (!validate) compiled.set(schema, (validate = ajv.compile(schema)));
    let body: unknown;
    try {
      body = JSON.parse(o.body);
    } catch {
      problems.push(`${where}: body is not JSON`);
      continue;
    }
    if (!validate(body)) problems.push(`${where}: body does not match the schema: ${ajv.errorsText(validate.errors, { separator: '; ' })}`);
  }
  return problems;
}
