import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import createClient from 'openapi-fetch';
import { clientTypes, DOCUMENT_FILE, documentText, TYPES_FILE } from '../../scripts/contract-client.js';
import type { operations, paths } from '../support/api-types.js';
import { ADMIN, startApp, type TestApp } from '../support/app.js';
import { DEPARTMENT, WORKED_EXAMPLE } from '../support/factories.js';

/**
 * The typed client of issue 14: openapi-fetch with the `paths` openapi-typescript generates from the
 * document the app serves (docs/openapi.json → test/support/api-types.ts, `npm run contract:client`).
 * The first test fails when the committed document or types are stale; the others use the client on the
 * real app, reading typed fields of the responses, and test/unit/typecheck.spec.ts compiles this file:
 * an operation whose response schema went missing leaves `data` without those fields, and the build breaks.
 */

/**
 * Compile-time: every operation's success (200, 201, 202) declares a typed body, not just the ones used
 * below. An operation whose success has no content, or content of unknown shape, becomes a required key
 * of `UNTYPED_SUCCESSES`' type, and `{}` no longer compiles: "… is missing the following properties …: <operationId>".
 */
type Success = 200 | 201 | 202;
type Untyped<R> = { [S in keyof R & Success]: R[S] extends { content: infer C } ? (unknown extends C[keyof C] ? S : never) : S }[keyof R & Success];
type UntypedOperations = { [K in keyof operations]: [Untyped<operations[K]['responses']>] extends [never] ? never : K }[keyof operations];
const UNTYPED_SUCCESSES: Record<UntypedOperations, true> = {};

/** The JSON pointer of the first place where two JSON values differ, for a short failure message. */
function firstDifference(a: unknown, b: unknown, at = ''): string | undefined {
  if (a === b) return undefined;
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a) !== Array.isArray(b)) return at || '/';
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const key of keys) {
    const found = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    if (found) return found;
  }
  return undefined;
}

describe('typed API client (openapi-typescript + openapi-fetch)', () => {
  let t: TestApp;
  let baseUrl: string;
  before(async () => {
    t = await startApp('api_client');
    await t.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });
  after(() => t.close());

  it('is generated from the document the app serves: docs/openapi.json and test/support/api-types.ts are current', async () => {
    assert.deepEqual(UNTYPED_SUCCESSES, {});
    const served = (await t.http().get('/api/docs-json').expect(200)).body;
    const committed = readFileSync(DOCUMENT_FILE, 'utf8');
    assert.ok(documentText(served) === committed,
      `${DOCUMENT_FILE} is not the served /api/docs-json (first difference at ${firstDifference(served, JSON.parse(committed))}): run \`npm run contract:client\``);
    assert.ok(await clientTypes(committed) === readFileSync(TYPES_FILE, 'utf8'),
      `${TYPES_FILE} is not generated from ${DOCUMENT_FILE}: run \`npm run contract:client\``);
  });

  it('signs in, creates a department and a target, records a figure and reads the evaluation, with typed responses', async () => {
    const anonymous = createClient<paths>({ baseUrl });
    const login = await anonymous.POST('/api/v1/auth/login', { body: { email: ADMIN.email, password: ADMIN.password } });
    assert.equal(login.response.status, 200);
    assert.ok(login.data);
    assert.equal(login.data.tokenType, 'Bearer');
    assert.ok(login.data.expiresIn > 0);
    const api = createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${login.data.accessToken}` } });

    const department = await api.POST('/api/v1/departments', { body: DEPARTMENT });
    assert.equal(department.response.status, 201);
    assert.ok(department.data);
    assert.deepEqual([department.data.code, department.data.name, department.data.emails], [DEPARTMENT.code, DEPARTMENT.name, DEPARTMENT.emails]);

    const created = await api.POST('/api/v1/targets', { body: { ...WORKED_EXAMPLE, kind: 'level', comparator: '>=' } });
    assert.equal(created.response.status, 201);
    assert.ok(created.data);
    assert.equal(created.response.headers.get('location'), '/api/v1/targets/DT-ENTERPRISES');
    assert.deepEqual([created.data.code, created.data.department, created.data.departmentName, created.data.target.value, created.data.archived],
      ['DT-ENTERPRISES', 'ECON-INFO', '区经济信息委', '350', false]);

    const figure = await api.PUT('/api/v1/targets/{code}/figures/{period}', {
      params: { path: { code: 'DT-ENTERPRISES', period: '2024Q4' } },
      body: { value: 260, note: '快报' },
    });
    assert.equal(figure.response.status, 200);
    assert.ok(figure.data && 'revision' in figure.data); // 200: the figure (202 would be a submission under review)
    assert.deepEqual([figure.data.target, figure.data.period, figure.data.value, figure.data.revision, figure.data.note], ['DT-ENTERPRISES', '2024Q4', '260', 1, '快报']);

    const read = await api.GET('/api/v1/targets/{code}', { params: { path: { code: 'DT-ENTERPRISES' } } });
    assert.ok(read.data);
    assert.deepEqual(read.data, created.data);
    assert.equal(read.data.baseline?.value, '200');

    const list = await api.GET('/api/v1/targets', { params: { query: { department: 'ECON-INFO', pageSize: 10 } } });
    assert.ok(list.data);
    assert.deepEqual([list.data.total, list.data.page, list.data.pageSize, list.data.items.map((x) => x.code)], [1, 1, 10, ['DT-ENTERPRISES']]);
    assert.equal(list.data.items[0].unit, '家');

    // DESIGN.md's worked example: 260 of 350 from 200 at 2024Q4, half the plan → completion 0.4, pace 0.8, lagging
    const evaluation = await api.GET('/api/v1/targets/{code}/evaluation', { params: { path: { code: 'DT-ENTERPRISES' } } });
    assert.ok(evaluation.data);
    assert.deepEqual(
      [evaluation.data.code, evaluation.data.status, evaluation.data.latestPeriod, evaluation.data.latestValue,
        evaluation.data.elapsed, evaluation.data.completion, evaluation.data.pace, evaluation.data.gap],
      ['DT-ENTERPRISES', 'lagging', '2024Q4', '260', 0.5, 0.4, 0.8, 90],
    );
  });

  it('answers bad input with a typed problem naming each field', async () => {
    const api = createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${await t.login(ADMIN.email, ADMIN.password)}` } });
    const badFigure = await api.PUT('/api/v1/targets/{code}/figures/{period}', {
      params: { path: { code: 'DT-ENTERPRISES', period: '2024Q3' } },
      body: { value: '二百六十' },
    });
    assert.equal(badFigure.response.status, 422);
    assert.equal(badFigure.data, undefined);
    assert.ok(badFigure.error);
    assert.equal(badFigure.response.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.equal(badFigure.error.status, 422);
    assert.deepEqual(badFigure.error.errors.map((e) => e.path), ['value']);
    assert.ok(badFigure.error.errors[0].message.length > 0);

    const badTarget = await api.PATCH('/api/v1/targets/{code}', {
      params: { path: { code: 'DT-ENTERPRISES' } },
      body: { target: { period: '2022', value: 1 } },
    });
    assert.equal(badTarget.response.status, 422);
    assert.ok(badTarget.error);
    assert.deepEqual(badTarget.error.errors.map((e) => e.path), ['target.period']);

    const missing = await api.GET('/api/v1/targets/{code}', { params: { path: { code: 'NO-SUCH-TARGET' } } });
    assert.equal(missing.response.status, 404);
    assert.ok(missing.error);
    assert.equal(missing.error.status, 404);
    assert.deepEqual(missing.error.errors, []);
  });
});
