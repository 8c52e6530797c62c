/**
 * `npm run bench:import-limits [-- --rows N]`
 *
 * Time and peak memory of reading hostile or oversized .xlsx uploads (issue 15), each in a fresh process:
 * the streamed reader of uploads (src/spreadsheets/xlsx-reader.ts, with the default limits) against
 * exceljs's whole-workbook loader, which the original code fell back to for any sheet with a formula cell.
 * Files: N rows × 10 columns with one formula cell (the 13 MB case at N = 150 000), a zip bomb
 * declaring 1 GB, and one whose directory understates its 1 GB. Prints figures; asserts nothing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import ExcelJS from 'exceljs';
import { bombXlsx } from '../test/support/xlsx-bomb.js';
import { loadedXlsxRows, xlsxRows } from '../src/spreadsheets/parse.js';
import { load } from './support.js';

const { values: opts, positionals } = parseArgs({
  options: { rows: { type: 'string', default: '150000' }, child: { type: 'string' } },
  allowPositionals: true,
  strict: true,
});

if (opts.child) {
  // one reading, in this process: its time, peak RSS and outcome as JSON
  const buffer = readFileSync(positionals[0]);
  const start = performance.now();
  let outcome: string;
  try {
    const { rows } = opts.child === 'streamed' ? await xlsxRows(buffer, 'bench.xlsx') : await loadedXlsxRows(buffer);
    outcome = `${rows.length} rows read`;
  } catch (error) {
    outcome = `refused: ${(error as Error).message.slice(0, 70)}`;
  }
  const seconds = (performance.now() - start) / 1000;
  console.log(JSON.stringify({ seconds, peakMb: process.resourceUsage().maxRSS / 1024, outcome }));
  process.exit(0);
}

const ROWS = Number(opts.rows);
const dir = mkdtempSync(join(tmpdir(), 'tm-import-limits-'));
try {
  const wide = join(dir, 'wide.xlsx');
  const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: wide, useSharedStrings: false });
  const sheet = writer.addWorksheet('数据');
  sheet.addRow(['指标代码', '期间', '数值', '口径', '备注', 'a', 'b', 'c', 'd', 'e']).commit();
  sheet.addRow(['NEV-OUTPUT', '2025Q1', { formula: '300+80', result: 380 }, '累计', '公式']).commit();
  for (let i = 0; i < ROWS; i += 1) {
    sheet.addRow([`CODE-${i % 997}`, '2025Q1', i * 1.25, '累计', `备注 ${i}`, Math.random(), Math.random(), i, i * 7, `x${i}`]).commit();
  }
  await writer.commit();
  writeFileSync(join(dir, 'bomb.xlsx'), bombXlsx(1024));
  writeFileSync(join(dir, 'bomb-understated.xlsx'), bombXlsx(1024, true));

  console.log(`load ${load()}`);
  console.log('| file | size | reading | seconds | peak RSS MB | outcome |');
  console.log('|---|---:|---|---:|---:|---|');
  const cases: [string, string, ('streamed' | 'loaded')[]][] = [
    [`${ROWS.toLocaleString('en-US')} rows × 10, one formula`, 'wide.xlsx', ['streamed', 'loaded']],
    ['zip bomb declaring 1 GB', 'bomb.xlsx', ['streamed']],
    ['zip bomb understating 1 GB', 'bomb-understated.xlsx', ['streamed']],
  ];
  for (const [name, file, modes] of cases) {
    const path = join(dir, file);
    const mb = (statSync(path).size / 1024 / 1024).toFixed(2);
    for (const mode of modes) {
      let figures: { seconds: number; peakMb: number; outcome: string };
      try {
        const out = execFileSync(process.execPath, [...process.execArgv, import.meta.filename, '--child', mode, path], { encoding: 'utf8', maxBuffer: 1 << 20 });
        figures = JSON.parse(out.trim().split('\n').pop()!);
      } catch (error) {
        figures = { seconds: NaN, peakMb: NaN, outcome: `process failed: ${String((error as Error).message).split('\n')[0].slice(0, 60)}` };
      }
      const reading = mode === 'streamed' ? 'streamed (uploads now)' : 'whole workbook (the original fallback)';
      console.log(`| ${name} | ${mb} MB | ${reading} | ${figures.seconds.toFixed(2)} | ${figures.peakMb.toFixed(0)} | ${figures.outcome} |`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
