import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where initdb and pg_ctl are: on PATH, else Debian's newest /usr/lib/postgresql/<version>/bin. */
function binary(name: 'initdb' | 'pg_ctl' | 'pg_basebackup'): string {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`]).toString().trim();
  } catch {
    const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)) : [];
    const found = versions.map((v) => `/usr/lib/postgresql/${v}/bin/${name}`).find((p) => existsSync(p));
    if (!found) throw new Error(`${name} not found: install PostgreSQL's server package (scripts/prepare-test-env.sh does)`);
    return found;
  }
}

const idOf = (flag: '-u' | '-g', user: string) => Number(execFileSync('id', [flag, user]).toString().trim());

/**
 * A PostgreSQL cluster of one's own (initdb in a scratch directory, fsync off, trust auth), on a port
 * of its own, to stop and start without touching the shared server. As root the cluster belongs to the
 * `postgres` user (initdb refuses root); otherwise to the caller.
 */
export class PrivatePostgres {
  readonly root = mkdtempSync(join(tmpdir(), 'tm-pg-'));
  readonly dir = join(this.root, 'pg');
  private readonly asOwner = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];

  constructor(readonly port: number) {}

  /** the URL of `database` on this cluster, as the superuser `postgres` */
  url(database = 'target_monitor'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  private run(command: string, ...args: string[]) {
    const [program, ...rest] = [...this.asOwner, command, ...args];
    execFileSync(program, rest, { stdio: ['ignore', 'ignore', 'pipe'] });
  }

  init(): void {
    if (this.asOwner.length) chownSync(this.root, idOf('-u', 'postgres'), idOf('-g', 'postgres'));
    this.run(binary('initdb'), '-D', this.dir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C.UTF-8');
    this.start();
  }

  /**
   * A streaming replica of this cluster on `port`: pg_basebackup with -R (standby.signal and the
   * primary's address written for it), started and answering read-only queries.
   */
  replica(port: number): PrivatePostgres {
    const replica = new PrivatePostgres(port);
    if (replica.asOwner.length) chownSync(replica.root, idOf('-u', 'postgres'), idOf('-g', 'postgres'));
    replica.run(binary('pg_basebackup'), '-h', '127.0.0.1', '-p', String(this.port), '-U', 'postgres', '-D', replica.dir, '-R', '-X', 'stream', '-c', 'fast');
    replica.start();
    return replica;
  }

  start(): void {
    this.run(binary('pg_ctl'), '-D', this.dir, '-o', `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
      '-l', join(this.dir, 'log'), '-w', 'start');
  }

  stop(mode: 'fast' | 'immediate' = 'fast'): void {
    this.run(binary('pg_ctl'), '-D', this.dir, '-m', mode, '-w', 'stop');
  }

  /** stop it if it runs, and remove its directory */
  remove(): void {
    try {
      this.stop('immediate');
    } catch {
      // not running
    }
    rmSync(this.root, { recursive: true, force: true });
  }
}
