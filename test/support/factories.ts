import type { TestApp } from './app.js';

export const DEPARTMENT = { code: 'ECON-INFO', name: '区经济信息委', emails: ['econ@example.org'] };

/** The worked example of DESIGN.md: 350 enterprises by 2025 from 200 at 2023. */
export const WORKED_EXAMPLE = {
  code: 'DT-ENTERPRISES',
  name: '数字化改造企业数',
  unit: '家',
  kind: 'level',
  comparator: '>=',
  department: 'ECON-INFO',
  baseline: { period: '2023', value: 200 },
  target: { period: '2025', value: 350 },
  source: { document: '渝北“四新”引领先进制造业激发新质生产力', quote: '将通过数字化改造企业350家以上', url: null },
};

export const FLOW_TARGET = {
  code: 'NEV-OUTPUT',
  name: '智能网联新能源汽车年产值',
  unit: '亿元',
  kind: 'flow',
  comparator: '>=',
  department: 'ECON-INFO',
  target: { period: '2025', value: '2000' },
  milestones: [{ period: '2024', value: 1600 }],
};

export async function createDepartment(t: TestApp, body: object = DEPARTMENT): Promise<void> {
  const res = await t.http().post('/api/v1/departments').send(body);
  if (res.status !== 201) throw new Error(`department not created: ${res.status} ${JSON.stringify(res.body)}`);
}

export async function createTarget(t: TestApp, overrides: object = {}): Promise<Record<string, unknown>> {
  const res = await t.http().post('/api/v1/targets').send({ ...WORKED_EXAMPLE, ...overrides });
  if (res.status !== 201) throw new Error(`target not created: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Row counts of every table: equal before and after a rejected request means nothing was written. */
export async function snapshot(t: TestApp): Promise<Record<string, number>> {
  const { rows } = await t.db.query(`
    SELECT (SELECT count(*) FROM departments)::int AS departments, (SELECT count(*) FROM targets)::int AS targets,
           (SELECT count(*) FROM milestones)::int AS milestones, (SELECT count(*) FROM figures)::int AS figures,
           (SELECT count(*) FROM figure_revisions)::int AS revisions,
           (SELECT count(*) FROM target_supporting_departments)::int AS supporting,
           (SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM targets t) AS targets_hash`);
  return rows[0];
}
