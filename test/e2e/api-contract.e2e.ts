import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import SwaggerParser from '@apidevtools/swagger-parser';
import { lintFromString, loadConfig } from '@redocly/openapi-core';
import spectralCore from '@stoplight/spectral-core';
import spectralParsers from '@stoplight/spectral-parsers';
import { startApp, type TestApp } from '../support/app.js';

/** The published contract (issue 14): the OpenAPI document as independent tools read it, and Location headers. */

type Operation = {
  summary?: string; description?: string; tags: string[]; security: unknown[]; requestBody?: unknown;
  responses: Record<string, { content: Record<string, { schema: { $ref: string } }> }>;
};

/** A linter's finding: `tool rule #/json/pointer` is what the allow-list names. */
type Finding = { key: string; severity: string; message: string };

/**
 * Spectral's own loader of .spectral.yaml (what its CLI uses), imported by a name typed as a plain string:
 * its declarations carry `/// <reference lib="dom" />`, which would put the DOM's types into the whole
 * typecheck (bench/ingest.ts's Blob of a Buffer stops compiling).
 */
const RULESET_LOADER: string = '@stoplight/spectral-ruleset-bundler/with-loader';
type LoadRuleset = (file: string, io: { fs: typeof fs; fetch: typeof fetch }) => Promise<spectralCore.Ruleset>;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pointer = (path: readonly (string | number)[]) =>
  `#/${path.map((segment) => String(segment).replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;

/** Redocly's recommended rules as redocly.yaml sets them, and Spectral's spectral:oas as .spectral.yaml does. */
async function linters(): Promise<(doc: object) => Promise<Finding[]>> {
  const config = await loadConfig({ configPath: `${ROOT}redocly.yaml` });
  const spectral = new spectralCore.Spectral();
  const { bundleAndLoadRuleset } = (await import(RULESET_LOADER)) as { bundleAndLoadRuleset: LoadRuleset };
  spectral.setRuleset(await bundleAndLoadRuleset(`${ROOT}.spectral.yaml`, { fs, fetch }));
  return async (doc) => {
    const source = JSON.stringify(doc);
    const redocly = await lintFromString({ source, absoluteRef: `${ROOT}api-docs.json`, config });
    const stoplight = await spectral.run(new spectralCore.Document(source, spectralParsers.Json, 'api-docs.json'));
    return [
      ...redocly.map((p) => ({ key: `redocly ${p.ruleId} ${p.location[0]?.pointer ?? '#'}`, severity: p.severity, message: p.message })),
      ...stoplight.map((r) => ({
        key: `spectral ${r.code} ${pointer(r.path)}`, severity: ['error', 'warn', 'info', 'hint'][r.severity], message: r.message,
      })),
    ];
  };
}

/**
 * Warnings the served document keeps on purpose, each with its reason. Any other finding — an error, or a
 * warning, info or hint not named here — fails the test, and so does an entry here that no longer occurs.
 */
const ALLOWED_WARNINGS: Record<string, string> = {
  'redocly operation-4xx-response #/paths/~1api~1v1~1health/get/responses':
    'GET /api/v1/health takes no input and no credentials: it answers 200 or 503, never a 4xx, and the document ' +
    'declares only answers an operation gives (every other operation has its 4xx)',
};

const listed = (findings: Finding[]) => findings.map((f) => `  ${f.severity} ${f.key}: ${f.message}`).join('\n') || '  (none)';

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
          // health answers 503 with its own body (which check is down), not a problem
          const expected = where === 'get /api/v1/health' ? ['application/json', 'Health'] : ['application/problem+json', 'Problem'];
          assert.equal(response.content[expected[0]].schema.$ref, `#/components/schemas/${expected[1]}`, `${where} ${status}`);
        }
        // every success declares its body: a schema of components.schemas for JSON, binary for a download; 204/304 none
        const successes = Object.entries(op.responses).filter(([status]) => Number(status) < 400);
        assert.ok(successes.length, where);
        for (const [status, response] of successes) {
          if (status === '204' || status === '304') {
            assert.equal(response.content, undefined, `${where} ${status}`);
            continue;
          }
          const [[type, { schema }]] = Object.entries(response.content);
          if (type === 'application/json') assert.ok(doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')], `${where} ${status}`);
          else assert.deepEqual(schema, { type: 'string', format: 'binary' }, `${where} ${status}`);
        }
        assert.equal(op.responses.default, undefined, where);
        if (op.requestBody) for (const status of ['400', '413', '415', '422']) assert.ok(op.responses[status], `${where} ${status}`);
        assert.ok(!JSON.stringify(op).includes('"$schema"'), where);
      }
    }
    assert.deepEqual(open.sort(), ['get /api/v1/health', 'post /api/v1/auth/login', 'post /api/v1/auth/refresh']);
    assert.deepEqual(doc.components.schemas.Problem.required, ['type', 'title', 'status', 'detail', 'errors']);
  });

  it('passes Redocly (recommended) and Spectral (spectral:oas) with 0 errors and only the allowed warnings', async () => {
    const doc = (await t.http().get('/api/docs-json').expect(200)).body;
    const lint = await linters();
    const findings = await lint(doc);
    const errors = findings.filter((f) => f.severity === 'error');
    assert.equal(errors.length, 0, `${errors.length} lint errors in /api/docs-json:\n${listed(errors)}`);
    const warnings = findings.filter((f) => f.severity !== 'error');
    const unexpected = warnings.filter((f) => !(f.key in ALLOWED_WARNINGS));
    const gone = Object.keys(ALLOWED_WARNINGS).filter((key) => !warnings.some((f) => f.key === key));
    assert.deepEqual(
      { unexpected: unexpected.map((f) => f.key), gone }, { unexpected: [], gone: [] },
      `lint warnings in /api/docs-json differ from ALLOWED_WARNINGS:\nnot allowed:\n${listed(unexpected)}\n` +
        `allowed but no longer found (drop them from the list):\n${gone.map((key) => `  ${key}`).join('\n') || '  (none)'}`,
    );

    // both linters are live on this document: a copy with an undeclared tag, an operation without summary
    // and description, and a repeated operationId is caught by each
    const broken = structuredClone(doc);
    const health = broken.paths['/api/v1/health'].get;
    health.tags = ['undeclared'];
    delete health.summary;
    delete health.description;
    health.operationId = broken.paths['/api/v1/departments'].get.operationId;
    const caught = new Set((await lint(broken)).map((f) => f.key.split(' ').slice(0, 2).join(' ')));
    for (const rule of [
      'redocly operation-summary', 'redocly operation-operationId-unique',
      'spectral operation-tag-defined', 'spectral operation-description', 'spectral operation-operationId-unique',
    ]) assert.ok(caught.has(rule), `${rule} not reported on a broken copy: ${[...caught].join(', ')}`);
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
