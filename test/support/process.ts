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

/** `node <args>` (SWC) with exactly this environment, its stdout and stderr collected as one text. */
function spawnNode(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', '@swc-node/register/esm-register', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return { child, output: () => output };
}

/** `node src/main.ts` (compiled on the fly by SWC) as a separate process with exactly this environment. */
export function spawnMain(env: Record<string, string>): Spawned {
  const { child, output } = spawnNode(['src/main.ts'], env);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output,
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
  const { child, output } = spawnNode(args, env);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output: output() })));
}
