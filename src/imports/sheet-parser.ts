import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Worker } from 'node:worker_threads';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { type ParsedSheet, type SheetLimits, SpreadsheetError, SpreadsheetTooLarge } from '../spreadsheets/parse.js';
import type { ParseReply, ParseRequest } from '../spreadsheets/parse-worker.js';

/** A parse worker's heap: a file within the limits needs a few hundred MB at most; past this the worker dies, not the app. */
const WORKER_HEAP_MB = 1024;
// the worker as built (dist: .js) or as run from source (tests, start:dev: .ts through the same loader)
const WORKER_URL = new URL(`../spreadsheets/parse-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

interface Job { request: ParseRequest; resolve: (sheet: ParsedSheet) => void; reject: (error: Error) => void }
interface Slot { worker: Worker; job: Job | null }

/** Parses uploads in worker threads: the request thread keeps answering, and a heap blow-up ends only a worker. */
@Injectable()
export class SheetParser implements OnModuleDestroy {
  private readonly slots: Slot[] = [];
  private readonly waiting: Job[] = [];
  private nextId = 1;
  private closed = false;
  readonly limits: SheetLimits;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.limits = { unpackedBytes: config.importMaxUnpackedMb * 1024 * 1024, cells: config.importMaxCells };
  }

  /** The file's rows as parseFigureSheet reads them, or its SpreadsheetError (SpreadsheetTooLarge past a limit). */
  parse(buffer: Buffer, fileName: string): Promise<ParsedSheet> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ request: { id: this.nextId++, bytes: buffer, fileName, limits: this.limits }, resolve, reject });
      this.dispatch();
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    for (const job of this.waiting.splice(0)) job.reject(new Error('the app is shutting down'));
    await Promise.all(this.slots.splice(0).map((slot) => slot.worker.terminate()));
  }

  private dispatch(): void {
    while (this.waiting.length && !this.closed) {
      let slot = this.slots.find((s) => !s.job);
      if (!slot && this.slots.length < this.config.importParseWorkers) slot = this.start();
      if (!slot) return;
      slot.job = this.waiting.shift()!;
      slot.worker.ref();
      slot.worker.postMessage(slot.job.request);
    }
  }

  private start(): Slot {
    // parsing allocates many short-lived objects: a larger young generation than a capped worker gets by default
    const worker = new Worker(WORKER_URL, { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: 64 } });
    const slot: Slot = { worker, job: null };
    this.slots.push(slot);
    worker.on('message', (reply: ParseReply) => {
      const job = slot.job;
      if (!job || job.request.id !== reply.id) return;
      slot.job = null;
      worker.unref(); // an idle worker does not keep the process alive
      if (reply.ok) job.resolve(reply.sheet);
      else if (reply.kind === 'too-large') job.reject(new SpreadsheetTooLarge(reply.message));
      else if (reply.kind === 'unreadable') job.reject(new SpreadsheetError(reply.message));
      else job.reject(new Error(`parsing ${job.request.fileName} failed in its worker: ${reply.message}`));
      this.dispatch();
    });
    const ended = (error: Error | null) => {
      const index = this.slots.indexOf(slot);
      if (index < 0) return;
      this.slots.splice(index, 1);
      const job = slot.job;
      slot.job = null;
      if (job) {
        const oom = (error as { code?: string } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
        job.reject(oom
          ? new SpreadsheetTooLarge(`文件「${job.request.fileName}」过大，读取时超出内存上限，请删除无关的内容或分批导入 (the file needs more memory than a parse may use)`)
          : (error ?? new Error(`the parse worker for ${job.request.fileName} exited`)));
      }
      this.dispatch();
    };
    worker.on('error', ended);
    worker.on('exit', () => ended(null));
    return slot;
  }
}
