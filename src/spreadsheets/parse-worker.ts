import { parentPort } from 'node:worker_threads';
import { type ParsedSheet, parseFigureSheet, type SheetLimits, SpreadsheetError, SpreadsheetTooLarge } from './parse.js';

/** A worker thread parsing uploads, so a big or hostile file never holds the thread that answers requests. */

export interface ParseRequest { id: number; bytes: Uint8Array; fileName: string; limits: SheetLimits }
export type ParseReply =
  | { id: number; ok: true; sheet: ParsedSheet }
  | { id: number; ok: false; kind: 'too-large' | 'unreadable' | 'failed'; message: string };

parentPort!.on('message', async ({ id, bytes, fileName, limits }: ParseRequest) => {
  let reply: ParseReply;
  try {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    reply = { id, ok: true, sheet: await parseFigureSheet(buffer, fileName, limits) };
  } catch (error) {
    const kind = error instanceof SpreadsheetTooLarge ? 'too-large' : error instanceof SpreadsheetError ? 'unreadable' : 'failed';
    reply = { id, ok: false, kind, message: kind === 'failed' ? String((error as Error)?.stack ?? error) : (error as Error).message };
  }
  parentPort!.postMessage(reply);
});
