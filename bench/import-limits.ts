/**
 * `npm run bench:import-limits [-- --rows N]`
 *
 * Time and peak memory of reading hostile or oversized .xlsx uploads (issue 15), each in a fresh process:
 * the streamed reader of uploads (src/spreadsheets/xlsx-reader.ts, with the default limits) in a worker thread
 * as uploads run (SheetParser) and in the process's own thread, against exceljs's whole-workbook loader,
 * which the original code fell back to for any sheet with a formula cell; with the longest stall of the
 * event loop (the thread answering requests) meanwhile.
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
import type { AppConfig } from '../src/config/config.js';
import { SheetParser } from '../src/imports/sheet-parser.js';
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
  const parser = new SheetParser({ importMaxUnpackedMb: 100, importMaxCells: 2_000_000, importParseWorkers: 1 } as AppConfig);
  if (opts.child === 'worker') await parser.parse(Buffer.from('指标代码,期间,数值\nA1,2025,1\n'), 'warm-up.csv'); // started
  // the longest the event loop (which answers requests) went without a turn while the file was read
  let last = performance.now();
  let stall = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stall = Math.max(stall, now - last);
    last = now;
  }, 10);
  const start = performance.now();
  let outcome: string;
  try {
    const read = opts.child === 'worker' ? parser.parse(buffer, 'bench.xlsx')
      : opts.child === 'streamed' ? xlsxRows(buffer, 'bench.xlsx') : loadedXlsxRows(buffer);
    outcome = `${(await read).rows.length} rows read`;
  } catch (error) {
    outcome = `refused: ${(error as Error).message.slice(0, 70)}`;
  }
  const seconds = (performance.now() - start) / 1000;
  clearInterval(timer);
  console.log(JSON.stringify({ seconds, peakMb: process.resourceUsage().maxRSS / 1024, stallMs: stall, outcome }));
  await parser.onModuleDestroy();
  process.exit(0);
}

type Mode = 'worker' | 'streamed' | 'loaded';
const READINGS: Record<Mode, string> = {
  worker: 'streamed in a worker thread (uploads now)',
  streamed: 'streamed in this thread',
  loaded: 'whole workbook (the original fallback)',
};
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
  console.log('| file | size | reading | seconds | peak RSS MB | longest event-loop stall ms | outcome |');
  console.log('|---|---:|---|---:|---:|---:|---|');
  const cases: [string, string, Mode[]][] = [
    [`${ROWS.toLocaleString('en-US')} rows × 10, one formula`, 'wide.xlsx', ['worker', 'streamed', 'loaded']],
    ['zip bomb declaring 1 GB', 'bomb.xlsx', ['worker']],
    ['zip bomb understating 1 GB', 'bomb-understated.xlsx', ['worker']],
  ];
  for (const [name, file, modes] of cases) {
    const path = join(dir, file);
    const mb = (statSync(path).size / 1024 / 1024).toFixed(2);
    for (const mode of modes) {
      let figures: { seconds: number; peakMb: number; stallMs: number; outcome: string };
      try {
        const out = execFileSync(process.execPath, [...process.execArgv, import.meta.filename, '--child', mode, path], { encoding: 'utf8', maxBuffer: 1 << 20 });
        figures = JSON.parse(out.trim().split('\n').pop()!);
      } catch (error) {
        figures = { seconds: NaN, peakMb: NaN, stallMs: NaN, outcome: `process failed: ${String((error as Error).message).split('\n')[0].slice(0, 60)}` };
      }
      console.log(`| ${name} | ${mb} MB | ${READINGS[mode]} | ${figures.seconds.toFixed(2)} | ${figures.peakMb.toFixed(0)} | ${figures.stallMs.toFixed(0)} | ${figures.outcome} |`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
