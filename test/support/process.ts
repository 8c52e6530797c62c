import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Spawned {
  child: ChildProcess;
  output: () => string;
  /** resolves with the exit code */
  exited: Promise<number | null>;
  stop: () => Promise<void>;
}

/** `node src/main.ts` (compiled on the fly by SWC) as a separate process with exactly this environment. */
export function spawnMain(env: Record<string, string>): Spawned {
  const child = spawn(process.execPath, ['--import', '@swc-node/register/esm-register', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function waitForOutput(p: Spawned, text: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!p.output().includes(text)) {
    if (p.child.exitCode !== null) throw new Error(`process exited (${p.child.exitCode}) before "${text}":\n${p.output()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for "${text}":\n${p.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** `node <args>` (SWC) to its end, e.g. the database CLI: exit code and everything it wrote. */
export function runCommand(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', '@swc-node/register/esm-register', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}
