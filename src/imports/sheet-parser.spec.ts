import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppConfig } from '../config/config.js';
import { bombXlsx } from '../../test/support/xlsx-bomb.js';
import { SpreadsheetError, SpreadsheetTooLarge } from '../spreadsheets/parse.js';
import { SheetParser } from './sheet-parser.js';

/** Uploads parsed in worker threads (issue 15): results and refusals come back as parseFigureSheet gives them. */

const parser = (workers: number) =>
  new SheetParser({ importMaxUnpackedMb: 8, importMaxCells: 1000, importParseWorkers: workers } as AppConfig);

describe('SheetParser', () => {
  it('parses in a worker: rows, a 413 past a limit (naming the file) and a 422 come back as their classes; uploads beyond the workers wait their turn', async () => {
    const sheets = parser(1);
    try {
      const csv = (value: number) => Buffer.from(`指标代码,期间,数值\nNEV-OUTPUT,2025Q1,${value}\n`);
      const [first, bomb, bad, last] = await Promise.allSettled([
        sheets.parse(csv(1), 'a.csv'),
        sheets.parse(bombXlsx(16), '炸弹.xlsx'),
        sheets.parse(Buffer.from('no header\n'), 'b.csv'),
        sheets.parse(csv(4), 'c.csv'),
      ]);
      assert.deepEqual(first.status === 'fulfilled' && first.value.rows.map((r) => [r.target, r.value]), [['NEV-OUTPUT', '1']]);
      assert.deepEqual(last.status === 'fulfilled' && last.value.rows.map((r) => r.value), ['4']);
      assert.ok(bomb.status === 'rejected' && bomb.reason instanceof SpreadsheetTooLarge, String(bomb.status === 'rejected' && bomb.reason));
      assert.match(bomb.reason.message, /^文件「炸弹\.xlsx」解压后超过 8 MB 的上限/);
      assert.ok(bad.status === 'rejected' && bad.reason instanceof SpreadsheetError && !(bad.reason instanceof SpreadsheetTooLarge));
      assert.match(bad.reason.message, /^未找到表头/);
    } finally {
      await sheets.onModuleDestroy();
    }
  });
});
