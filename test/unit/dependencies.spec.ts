import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * The house rules of src/, read from the code's own imports (ts.preProcessFile: static, type-only,
 * re-exports and dynamic imports alike). A unit is a folder under src/ (src/extraction/documents/ is part
 * of extraction), a file directly in src/ (main.ts, app.ts, api-prefix.ts) or an entry point named below.
 * Specs are tests, not rooms of the house, and are left out.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Folders every feature stands on; common/ and jobs/ may import only these. */
const FOUNDATION = new Set(['common', 'jobs', 'config', 'evaluation', 'contract', 'api-prefix.ts']);

/** Command-line entry points: like main.ts they stand above everything, so each is a unit of its own. */
const ENTRY_POINTS: Record<string, string> = {
  'src/database/cli.ts': 'npm run migration:run / db:roles / audit:verify: a command that drives the audit chain check',
};

/** Files whose imports are left out of the cycle rule; each must import types only. */
const TYPE_REGISTRIES: Record<string, string> = {
  'src/contract/response-types.ts':
    "the API's registry of every JSON body by schema name: @Returns checks handlers against it (types only, erased at run time)",
};

/** Folder imports that still close a loop, each with why it stays. */
const EXCEPTIONS: Record<string, string> = {};

interface Import {
  from: string;
  to: string;
  specifier: string;
}

function sourceFiles(root = ROOT): string[] {
  return readdirSync(join(root, 'src'), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => relative(root, join(e.parentPath, e.name)).split('\\').join('/'))
    .sort();
}

/** Every import of a file; relative ones resolved to a path from the root (`.js` → `.ts`). */
function importsOf(file: string, text: string): Import[] {
  return ts.preProcessFile(text, true, true).importedFiles.map(({ fileName: specifier }) => ({
    from: file,
    specifier,
    to: specifier.startsWith('.') ? posix.normalize(posix.join(posix.dirname(file), specifier)).replace(/\.js$/, '.ts') : specifier,
  }));
}

function unitOf(path: string): string | null {
  if (!path.startsWith('src/')) return null;
  if (path in ENTRY_POINTS) return path;
  return path.split('/')[1];
}

/** Folder → folder edges with the file imports behind each, type registries and units' own imports left out. */
function unitEdges(imports: Import[]): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const i of imports) {
    if (i.from in TYPE_REGISTRIES) continue;
    const a = unitOf(i.from);
    const b = unitOf(i.to);
    if (!a || !b || a === b) continue;
    const key = `${a} -> ${b}`;
    edges.set(key, [...(edges.get(key) ?? []), `${i.from} -> ${i.to}`]);
  }
  return edges;
}

/** Strongly connected components of more than one unit (Tarjan). */
function cycles(edges: Iterable<string>): string[][] {
  const next = new Map<string, string[]>();
  for (const edge of edges) {
    const [a, b] = edge.split(' -> ');
    next.set(a, [...(next.get(a) ?? []), b]);
    if (!next.has(b)) next.set(b, []);
  }
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return found;
}

function readImports(): Import[] {
  return sourceFiles().flatMap((file) => importsOf(file, readFileSync(join(ROOT, file), 'utf8')));
}

const show = (list: string[]) => list.map((line) => `  ${line}`).join('\n');

describe('dependency rules of src/', () => {
  const imports = readImports();
  const edges = unitEdges(imports);

  it('reads the imports of every source file', () => {
    assert.ok(sourceFiles().length > 100);
    assert.ok(edges.size > 50, `only ${edges.size} folder imports read`);
  });

  it('evaluation/ imports nothing but luxon and itself', () => {
    const bad = imports
      .filter((i) => i.from.startsWith('src/evaluation/'))
      .filter((i) => i.specifier !== 'luxon' && !i.to.startsWith('src/evaluation/'))
      .map((i) => `${i.from} -> ${i.specifier}`);
    assert.deepEqual(bad, [], `evaluation/ is the pure core:\n${show(bad)}`);
  });

  it('common/ and jobs/ import no feature folder', () => {
    const bad = imports
      .filter((i) => ['common', 'jobs'].includes(unitOf(i.from)!))
      .filter((i) => unitOf(i.to) !== null && !FOUNDATION.has(unitOf(i.to)!))
      .map((i) => `${i.from} -> ${i.to}`);
    assert.deepEqual(bad, [], `common/ and jobs/ may import only ${[...FOUNDATION].join(', ')}:\n${show(bad)}`);
  });

  it('no folder cycles, beyond the exceptions listed', () => {
    const kept = [...edges.keys()].filter((edge) => !(edge in EXCEPTIONS));
    const loops = cycles(kept).map((units) => {
      const inside = kept.filter((edge) => edge.split(' -> ').every((u) => units.includes(u)));
      return `${units.join(', ')}:\n${show(inside.flatMap((edge) => edges.get(edge)!))}`;
    });
    assert.deepEqual(loops, [], `folder cycles (cut one import of each, or list it in EXCEPTIONS with a reason):\n${loops.join('\n')}`);
  });

  it('no two source files share a name (a name says what a file holds, wherever it stands)', () => {
    const byName = new Map<string, string[]>();
    for (const file of sourceFiles()) byName.set(posix.basename(file), [...(byName.get(posix.basename(file)) ?? []), file]);
    assert.deepEqual([...byName.values()].filter((files) => files.length > 1), []);
  });

  it('every exception is still needed, and the type registries import types only', () => {
    const stale = Object.keys(EXCEPTIONS).filter((edge) => !edges.has(edge));
    assert.deepEqual(stale, [], 'exceptions that no import needs any more: remove them');
    for (const file of Object.keys(TYPE_REGISTRIES)) {
      const values = readFileSync(join(ROOT, file), 'utf8').split('\n').filter((l) => /^import\s/.test(l) && !/^import type\s/.test(l));
      assert.deepEqual(values, [], `${file} must import types only`);
    }
  });

  it('finds a cycle, and a climb from common/, when one is there', () => {
    const planted = [
      ...imports,
      { from: 'src/common/paging.ts', to: 'src/targets/target.mapper.ts', specifier: '../targets/target.mapper.js' },
    ];
    const withLoop = [...unitEdges(planted).keys()].filter((edge) => !(edge in EXCEPTIONS));
    assert.ok(cycles(withLoop).some((units) => units.includes('common') && units.includes('targets')));
    assert.deepEqual(cycles(['a -> b', 'b -> c', 'c -> a', 'c -> d']), [['a', 'b', 'c']]);
  });
});
