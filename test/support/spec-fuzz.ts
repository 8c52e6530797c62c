// Requests built from the published OpenAPI document (issue 14): for every operation, path and query
// parameters and JSON bodies drawn from their schemas, then half of them broken (a field replaced by a
// nasty value, removed, or one added; a parameter replaced). fast-check makes them, so a seed replays them.
import SwaggerParser from '@apidevtools/swagger-parser';
import fc from 'fast-check';
import { anyValue, type FuzzRequest, mutateAt, nastyNumber, nastyString, pathsOf } from './fuzz.js';

type Schema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
};
type Parameter = { name: string; in: 'path' | 'query' | 'header'; required?: boolean; schema?: Schema };
type Operation = {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: Schema }> };
};

/**
 * Operations left out: they end the admin's session or send mail, which would stop the run, not test it.
 * Creating and renewing an API token need the current password, and a session that gives 5 wrong ones ends.
 */
const SKIP = new Set([
  'AuthController_logout', 'AuthController_logoutEverywhere', 'AuthController_createToken', 'AuthController_renewToken',
  'AlertsController_runDigest',
]);

/** Values a path parameter takes besides nasty ones: what `setUp` created, and ids past int4. */
const KNOWN_PATH_VALUES: Record<string, string[]> = {
  code: ['DT-ENTERPRISES', 'NEV-OUTPUT', 'ECON-INFO', 'SCI-TECH', 'NO-SUCH'],
  period: ['2025Q1', '2025Q2', '2024Q4', '2025', '2025-03', '2025Q5'],
  id: ['2', '3', '999999', '0', '-1', '2147483647', '2147483648', '99999999999999999999', '1.5', 'abc'],
};

function leaf(s: Schema): fc.Arbitrary<unknown> {
  const type = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  if (type.length > 1) return fc.oneof(...type.map((t) => leaf({ ...s, type: t })));
  switch (type[0]) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({ min: s.minimum ?? s.exclusiveMinimum ?? -1000, max: s.maximum ?? s.exclusiveMaximum ?? 100_000 });
    case 'number':
      return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
    case 'string':
      if (s.format === 'email') return fc.emailAddress();
      if (s.format === 'date') return fc.constantFrom('2025-01-01', '2025-06-30', '2026-12-05');
      if (s.format === 'date-time') return fc.constantFrom('2025-01-01T00:00:00Z', '2026-12-05T08:00:00.000Z');
      if (s.format === 'uri') return fc.webUrl();
      if (s.pattern) {
        try {
          return fc.stringMatching(new RegExp(s.pattern)).filter((v) => v.length <= (s.maxLength ?? 200));
        } catch {
          return fc.string({ maxLength: 20 });
        }
      }
      return fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 30, 30) });
    default:
      return anyValue;
  }
}

/** A value the schema accepts, mostly: the arbitrary follows types, enums, patterns and bounds. */
export function fromSchema(s: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!s || depth > 6) return anyValue;
  if (s.allOf?.length) return fromSchema(Object.assign({}, ...s.allOf), depth + 1);
  if (s.anyOf?.length || s.oneOf?.length) return fc.oneof(...(s.anyOf ?? s.oneOf)!.map((x) => fromSchema(x, depth + 1)));
  const type = Array.isArray(s.type) ? s.type : [s.type];
  if (type.includes('object') || s.properties) {
    const props = s.properties ?? {};
    const required = new Set(s.required ?? []);
    const keys = Object.keys(props);
    return fc.record(Object.fromEntries(keys.map((k) => [k, fromSchema(props[k], depth + 1)])), {
      requiredKeys: keys.filter((k) => required.has(k)),
    });
  }
  if (type.includes('array')) {
    return fc.array(fromSchema(s.items, depth + 1), { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 3, 3) });
  }
  return leaf(s);
}

/** A JSON value with one part broken: replaced by a nasty value, removed, or an unknown key beside it. */
function broken(value: unknown): fc.Arbitrary<{ value: unknown; how: string }> {
  return fc.tuple(fc.constantFrom(...pathsOf(value)), fc.constantFrom('replace', 'remove', 'add') as fc.Arbitrary<'replace' | 'remove' | 'add'>, anyValue)
    .map(([path, op, nasty]) => ({ value: mutateAt(value, path, op, nasty), how: `${op} ${path.join('.') || '<root>'}` }));
}

/** encodeURIComponent, but a lone surrogate (which it refuses) goes as the UTF-8 bytes Node would send. */
const encode = (v: string) => {
  try {
    return encodeURIComponent(v);
  } catch {
    return [...Buffer.from(v, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
};

const paramValue = (p: Parameter): fc.Arbitrary<string> => {
  const known = KNOWN_PATH_VALUES[p.name];
  const drawn = fromSchema(p.schema).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  return fc.oneof(
    { weight: 4, arbitrary: known ? fc.constantFrom(...known) : drawn },
    { weight: 2, arbitrary: drawn },
    { weight: 1, arbitrary: fc.oneof(nastyString, nastyNumber.map(String)) },
  );
};

function operationRequest(path: string, method: FuzzRequest['method'], op: Operation): fc.Arbitrary<FuzzRequest> {
  const params = op.parameters ?? [];
  const pathParams = params.filter((p) => p.in === 'path');
  const queryParams = params.filter((p) => p.in === 'query');
  const json = op.requestBody?.content['application/json']?.schema;
  return fc.record({
    path: fc.tuple(...pathParams.map(paramValue)),
    query: fc.tuple(...queryParams.map((p) => fc.option(paramValue(p), { nil: undefined, freq: 2 }))),
    body: json ? fromSchema(json) : fc.constant(undefined),
    breakBody: fc.boolean(),
  }).chain(({ path: values, query, body, breakBody }) => {
    let url = path;
    pathParams.forEach((p, i) => (url = url.replace(`{${p.name}}`, encode(values[i]))));
    const search = queryParams.flatMap((p, i) => (query[i] === undefined ? [] : [`${encode(p.name)}=${encode(query[i]!)}`]));
    if (search.length) url += `?${search.join('&')}`;
    const label = `${op.operationId ?? `${method} ${path}`}`;
    if (body === undefined || !breakBody) return fc.constant<FuzzRequest>({ label: `${label}: drawn`, method, url, body });
    return broken(body).map(({ value, how }): FuzzRequest => ({ label: `${label}: ${how}`, method, url, body: value }));
  });
}

/** `count` requests over every operation of `document`, the same for the same seed. */
export async function specRequests(document: object, count: number, seed: number): Promise<FuzzRequest[]> {
  const spec = (await SwaggerParser.dereference(structuredClone(document) as never)) as unknown as { paths: Record<string, Record<string, Operation>> };
  const arbitraries: fc.Arbitrary<FuzzRequest>[] = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of ['get', 'put', 'post', 'patch', 'delete'] as const) {
      const op = item[method];
      if (!op || SKIP.has(op.operationId ?? '')) continue;
      // multipart uploads have their own fuzzing (test/support/fuzz.ts)
      if (op.requestBody && !op.requestBody.content['application/json']) continue;
      arbitraries.push(operationRequest(path, method, op));
    }
  }
  return fc.sample(fc.oneof(...arbitraries), { numRuns: count, seed });
}
