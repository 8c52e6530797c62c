import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const root = join(import.meta.dirname, '../..');
const script = join(root, 'scripts/prepare-test-env.sh');
const scratch = mkdtempSync(join(tmpdir(), 'tm-prepare-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

type Need = 'postgres' | 'redis' | 'chromium' | 'font' | 'office';
interface Machine {
  missing?: Need[];
  root?: boolean;
  apt?: boolean;
  env?: Record<string, string>;
}

let runs = 0;
/**
 * prepare_test_env of the real script with its probes replaced: a need is met while a file of its name
 * exists in a scratch directory, and apt-get only records what it was asked and creates those files.
 */
function prepare(machine: Machine): { status: number | null; stderr: string; apt: string[] } {
  const dir = join(scratch, String(++runs));
  const missing = new Set(machine.missing ?? []);
  const present = (['postgres', 'redis', 'chromium', 'font', 'office'] as Need[]).filter((n) => !missing.has(n));
  const program = `
    set -e
    mkdir -p '${dir}' && cd '${dir}' && touch ${present.join(' ')} apt.log
    source '${script}'
    set +e
    pg_ready() { [ -f postgres ]; }
    redis_ready() { [ -f redis ]; }
    chromium_ready() { [ -f chromium ]; }
    cjk_font_ready() { [ -f font ]; }
    office_ready() { [ -f office ]; }
    is_root() { ${machine.root ? 'true' : 'false'}; }
    has_apt() { ${machine.apt === false ? 'false' : 'true'}; }
    apt_install() {
      echo "$*" >> apt.log
      for p in "$@"; do case $p in chromium) touch chromium ;; fonts-wqy-microhei) touch font ;; libreoffice-writer-nogui) touch office ;; esac; done
    }
    prepare_test_env
  `;
  const r = spawnSync('bash', ['-c', program], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...machine.env },
  });
  const apt = readFileSync(join(dir, 'apt.log'), 'utf8').split('\n').filter(Boolean);
  return { status: r.status, stderr: r.stderr, apt };
}

const runLine = (stderr: string) => /^Run: {2}(.*)$/m.exec(stderr)?.[1];

describe('scripts/prepare-test-env.sh: what is missing → what happens', () => {
  it('everything there: silent, exit 0, nothing installed', () => {
    const r = prepare({ root: true });
    assert.equal(r.status, 0);
    assert.equal(r.stderr, '');
    assert.deepEqual(r.apt, []);
  });

  it('a user without Chromium and the font: exit 2, both named, one apt-get command with sudo', () => {
    const r = prepare({ missing: ['chromium', 'font'] });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no Chromium at \/usr\/bin\/chromium/);
    assert.match(r.stderr, /WenQuanYi Micro Hei \(fonts-wqy-microhei\)/);
    assert.equal(runLine(r.stderr), 'sudo apt-get install -y chromium fonts-wqy-microhei');
    assert.deepEqual(r.apt, []);
  });

  it('only the font missing: only the font package', () => {
    assert.equal(runLine(prepare({ missing: ['font'] }).stderr), 'sudo apt-get install -y fonts-wqy-microhei');
  });

  it('no LibreOffice or pdftotext: both packages named; as root with apt-get they are installed', () => {
    const r = prepare({ missing: ['office'] });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no LibreOffice \(soffice\) or pdftotext/);
    assert.equal(runLine(r.stderr), 'sudo apt-get install -y libreoffice-writer-nogui poppler-utils');
    const installed = prepare({ missing: ['font', 'office'], root: true });
    assert.equal(installed.status, 0, installed.stderr);
    assert.deepEqual(installed.apt, ['fonts-wqy-microhei fontconfig', 'libreoffice-writer-nogui poppler-utils']);
  });

  it('PostgreSQL or Redis not answering: this script, which installs and starts them', () => {
    for (const missing of [['postgres'], ['redis', 'chromium']] as Need[][]) {
      const r = prepare({ missing });
      assert.equal(r.status, 2);
      assert.equal(runLine(r.stderr), 'sudo bash scripts/prepare-test-env.sh');
    }
    assert.match(prepare({ missing: ['redis'] }).stderr, /Redis does not answer at redis:\/\/127\.0\.0\.1:6379\/0 \(TEST_REDIS_URL\)/);
  });

  it('no apt-get: says what to install and start, with no apt command', () => {
    const r = prepare({ missing: ['redis', 'font'], apt: false, root: true });
    assert.equal(r.status, 2);
    assert.equal(
      runLine(r.stderr),
      'start PostgreSQL and Redis (e.g. docker-compose up -d postgres redis), and install fonts-wqy-microhei with this system\'s package manager',
    );
  });

  it('root with apt-get (as CI): installs what is missing and goes on', () => {
    const r = prepare({ missing: ['chromium', 'font'], root: true });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.apt, ['fonts-wqy-microhei fontconfig', 'chromium']);
  });

  it('root with apt-get but TEST_PREPARE=check: no install, the command without sudo', () => {
    const r = prepare({ missing: ['chromium'], root: true, env: { TEST_PREPARE: 'check' } });
    assert.equal(r.status, 2);
    assert.equal(runLine(r.stderr), 'apt-get install -y chromium');
    assert.deepEqual(r.apt, []);
  });

  it('TEST_PREPARE=skip: nothing checked; an unknown value stops', () => {
    assert.equal(prepare({ missing: ['postgres', 'chromium'], env: { TEST_PREPARE: 'skip' } }).status, 0);
    const r = prepare({ env: { TEST_PREPARE: 'yes' } });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /TEST_PREPARE=yes: expected auto, check or skip/);
  });

  it('reads host and port from the test URLs', () => {
    const r = spawnSync('bash', ['-c', `source '${script}'
      for u in postgres://postgres@127.0.0.1:5432 redis://:secret@redis.internal/0 postgres://u:p@db:6543/x?sslmode=disable; do
        url_host_port "$u" 6379; echo "$URL_HOST $URL_PORT"
      done`], { encoding: 'utf8' });
    assert.equal(r.stdout, '127.0.0.1 5432\nredis.internal 6379\ndb 6543\n', r.stderr);
  });
});

describe('npm test on a machine missing something', () => {
  it('stops before any test runs, with the command, and installs nothing under TEST_PREPARE=check', () => {
    const started = Date.now();
    const r = spawnSync(process.execPath, [join(root, 'test/run.mjs'), 'src/evaluation/periods.spec.ts'], {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        TEST_PREPARE: 'check',
        CHROMIUM_PATH: join(scratch, 'no-chromium'),
        TEST_REDIS_URL: 'redis://127.0.0.1:1/0',
      },
    });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /no Chromium at .*no-chromium \(CHROMIUM_PATH; apt's chromium is \/usr\/bin\/chromium/);
    assert.match(r.stderr, /Redis does not answer at redis:\/\/127\.0\.0\.1:1\/0/);
    assert.match(r.stderr, /^Run: {2}(sudo )?bash scripts\/prepare-test-env\.sh$/m);
    assert.doesNotMatch(r.stdout + r.stderr, /# (pass|tests) /, 'no test ran');
    assert.ok(Date.now() - started < 10_000);
  });
});
