import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Whether a command is on the PATH. */
async function have(command: string): Promise<boolean> {
  try {
    await run('sh', ['-c', `command -v ${command}`]);
    return true;
  } catch {
    return false;
  }
}

/**
 * A .docx as an independent reader sees it: LibreOffice converts it to PDF (with a profile of its own, so
 * parallel runs do not clash), pdftotext extracts the text. Without the tools this fails, naming them.
 */
export async function docxToPdf(docx: Buffer, dir?: string): Promise<Buffer> {
  for (const [command, pkg] of [['soffice', 'libreoffice-writer-nogui'], ['pdftotext', 'poppler-utils']]) {
    if (!(await have(command))) {
      throw new Error(`${command} is not installed: the 通报 test reads the .docx with LibreOffice and pdftotext ` +
        `(apt-get install ${pkg}, or run scripts/prepare-test-env.sh as root)`);
    }
  }
  const work = dir ?? await mkdtemp(join(tmpdir(), 'tm-docx-'));
  const profile = await mkdtemp(join(tmpdir(), 'lo-'));
  try {
    await writeFile(join(work, 'report.docx'), docx);
    await run('soffice', [`-env:UserInstallation=file://${profile}`, '--headless', '--convert-to', 'pdf', '--outdir', work, join(work, 'report.docx')],
      { timeout: 120_000 });
    return await readFile(join(work, 'report.pdf'));
  } finally {
    await rm(profile, { recursive: true, force: true });
    if (!dir) await rm(work, { recursive: true, force: true });
  }
}

/**
 * The text of a .docx, read through LibreOffice's PDF and pdftotext: in reading order (`text`: a cell's
 * lines stay together) and as laid out (`layout`: a table row's one-line cells on one line).
 */
export async function docxText(docx: Buffer): Promise<{ text: string; layout: string }> {
  const work = await mkdtemp(join(tmpdir(), 'tm-docx-'));
  try {
    await docxToPdf(docx, work);
    const pdf = join(work, 'report.pdf');
    const extract = async (...options: string[]) =>
      (await run('pdftotext', ['-enc', 'UTF-8', ...options, pdf, '-'], { maxBuffer: 20 * 1024 * 1024 })).stdout;
    return { text: await extract(), layout: await extract('-layout') };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
