import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { responseSchemasModule } from '../../src/contract/generate.js';
import { RESPONSE_SCHEMAS } from '../../src/contract/response-schemas.js';

/** The response schemas the OpenAPI document publishes are the handlers' TypeScript types, regenerated. */
describe('response schemas (src/contract)', () => {
  it('are what `npm run contract:schemas` makes of src/contract/response-types.ts today', () => {
    const committed = readFileSync('src/contract/response-schemas.ts', 'utf8');
    assert.ok(committed === responseSchemasModule(), 'src/contract/response-schemas.ts is stale: run `npm run contract:schemas`');
  });

  it('name every type they use as a schema of its own, refer only to schemas that exist, and allow no undeclared fields', () => {
    const names = new Set(Object.keys(RESPONSE_SCHEMAS));
    const refs = [...JSON.stringify(RESPONSE_SCHEMAS).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(refs.filter((r) => !names.has(r)), []);
    for (const name of ['Target', 'TargetPage', 'Figure', 'Import', 'Health', 'Extraction', 'Candidate', 'PeriodValue']) assert.ok(names.has(name), name);
    const target = RESPONSE_SCHEMAS.Target as { additionalProperties: boolean; required: string[]; properties: Record<string, unknown> };
    assert.equal(target.additionalProperties, false);
    assert.ok(target.required.includes('code') && target.required.includes('target'));
    assert.deepEqual((RESPONSE_SCHEMAS.TargetPage as { properties: { items: unknown } }).properties.items, { type: 'array', items: { $ref: '#/components/schemas/Target' } });
  });
});
