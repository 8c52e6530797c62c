import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import { startApp, type TestApp } from '../support/app.js';

/** The published contract (issue 14): the OpenAPI document as independent tools read it, and Location headers. */

type Operation = {
  summary?: string; description?: string; tags: string[]; security: unknown[]; requestBody?: unknown;
  responses: Record<string, { content: Record<string, { schema: { $ref: string } }> }>;
};

describe('API contract', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp('api-contract');
  });
  after(() => t.close());

  it('publishes a valid OpenAPI 3.1 document: summaries, declared tags, open routes marked, problem+json errors', async () => {
    const doc = (await t.http().get('/api/docs-json').expect(200)).body;
    assert.equal(doc.openapi, '3.1.0');
    await SwaggerParser.validate(structuredClone(doc));
    assert.ok(doc.servers.length > 0);
    const declared = new Set(doc.tags.map((tag: { name: string }) => tag.name));
    const open: string[] = [];
    for (const [path, item] of Object.entries<Record<string, Operation>>(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const where = `${method} ${path}`;
        assert.ok(op.summary && op.description, where);
        assert.ok(op.tags.length && op.tags.every((tag) => declared.has(tag)), where);
        assert.ok(Array.isArray(op.security), where);
        if (!op.security.length) open.push(where);
        const errors = Object.entries(op.responses).filter(([status]) => Number(status) >= 400);
        assert.ok(errors.some(([status]) => status === '503'), where);
        for (const [status, response] of errors) {
          assert.equal(response.content['application/problem+json'].schema.$ref, '#/components/schemas/Problem', `${where} ${status}`);
        }
        assert.equal(op.responses.default, undefined, where);
        if (op.requestBody) for (const status of ['400', '413', '415', '422']) assert.ok(op.responses[status], `${where} ${status}`);
        assert.ok(!JSON.stringify(op).includes('"$schema"'), where);
      }
    }
    assert.deepEqual(open.sort(), ['get /api/v1/health', 'post /api/v1/auth/login', 'post /api/v1/auth/refresh']);
    assert.deepEqual(doc.components.schemas.Problem.required, ['type', 'title', 'status', 'detail', 'errors']);
  });

  it('names what a 201 created and what a 202 accepted in Location, and the address answers', async () => {
    const department = await t.http().post('/api/v1/departments').send({ code: 'LOC-TEST', name: '区测试局', emails: [] }).expect(201);
    assert.equal(department.headers.location, '/api/v1/departments/LOC-TEST');
    assert.equal((await t.http().get(department.headers.location).expect(200)).body.name, '区测试局');
    const run = await t.http().post('/api/v1/evaluations/runs').send({}).expect(202);
    assert.equal(run.headers.location, `/api/v1/evaluations/runs/${run.body.id}`);
    await t.http().get(run.headers.location).expect(200);
    const refused = await t.http().post('/api/v1/departments').send({ code: 'LOC-TEST', name: '区测试局', emails: [] });
    assert.equal(refused.status, 409);
    assert.equal(refused.headers.location, undefined);
    assert.equal((await t.http().get('/api/v1/departments').expect(200)).headers.location, undefined);
  });
});
