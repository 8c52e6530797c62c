// `npm run report:sample`: a sample 季度通报 from the demonstration data (the article's targets from seeds/ and
// `npm run seed -- --demo`'s figures, labelled 示例数据), written to docs/sample-report.docx and, when LibreOffice
// is installed, docs/sample-report.pdf. Runs the real app on a scratch database, as the tests do (PostgreSQL,
// Redis): seeds, evaluates as of now, answers one owed explanation (made up), drafts the report through the API.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DataSource } from 'typeorm';
import { seedArticle, seedDemoFigures } from '../seeds/seed.js';
import { reportingQuarter } from '../src/evaluation/periods.js';
import { eventually, startApp, type TestApp } from '../test/support/app.js';
import { docxToPdf } from '../test/support/office.js';

const OUT = fileURLToPath(new URL('../docs/', import.meta.url));

async function evaluateNow(t: TestApp): Promise<void> {
  const started = await t.http().post('/api/v1/evaluations/runs').send({}).expect(202);
  await eventually(async () => {
    const res = await t.http().get(`/api/v1/evaluations/runs/${started.body.id}`).expect(200);
    return res.body.state === 'completed' ? true : res.body.state === 'failed' ? Promise.reject(new Error(res.body.error)) : undefined;
  }, 60_000, 'evaluation run');
}

async function main(): Promise<void> {
  const t = await startApp('sample_report');
  try {
    const dataSource = t.app.get(DataSource);
    await seedArticle(dataSource);
    console.log(`demo figures (示例数据): ${await seedDemoFigures(dataSource)}`);
    await evaluateNow(t);
    const { rows: [run] } = await t.db.query(`SELECT as_of FROM evaluation_runs WHERE state = 'completed' ORDER BY finished_at DESC LIMIT 1`);
    // The quarter the run reports on: the latest that has ended by its as-of moment.
    const period = reportingQuarter(run.as_of, t.config.scheduleTz);
    // The run owes explanations for its flagged targets (written right after it completes); the first is
    // answered through the API as a department would, so the sample shows one (示例 too).
    const owed = await eventually(async () => {
      const { rows } = await t.db.query(
        `SELECT t.code FROM explanations e JOIN targets t ON t.id = e.target_id WHERE e.period = $1 ORDER BY t.code LIMIT 1`, [period]);
      return rows[0]?.code as string | undefined;
    }, 15_000, 'the explanations owed');
    const explained = await t.http().put(`/api/v1/targets/${owed}/explanations/${period}`).send({
      cause: '（示例）受市场需求波动影响，部分企业改造项目推迟实施。',
      measures: '（示例）建立重点项目清单，逐月调度，加大专项资金支持力度。',
    });
    if (explained.status !== 200) throw new Error(`PUT explanation: ${explained.status} ${JSON.stringify(explained.body)}`);
    const drafted = await t.http().post('/api/v1/reports').send({ period });
    if (drafted.status !== 201) throw new Error(`POST /reports: ${drafted.status} ${JSON.stringify(drafted.body)}`);
    console.log(drafted.body.overview);
    const res = await t.http().get(`/api/v1/reports/${drafted.body.id}/document`).buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    const docx = res.body as Buffer;
    writeFileSync(`${OUT}sample-report.docx`, docx);
    console.log(`wrote docs/sample-report.docx (${docx.length} bytes, ${period}, 示例: ${drafted.body.demo})`);
    try {
      writeFileSync(`${OUT}sample-report.pdf`, await docxToPdf(docx));
      console.log('wrote docs/sample-report.pdf');
    } catch (error) {
      console.warn(`no PDF: ${(error as Error).message}`);
    }
  } finally {
    await t.close();
  }
}

await main();
