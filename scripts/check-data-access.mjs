#!/usr/bin/env node
// The data-access rule of src/: SQL lives in stores (files named *.store.ts) and nowhere else; the
// database handles and the calls that run a store's SQL also in src/database/ (the connection,
// transactions, replicas, the migration runner: plumbing without SQL of its own); everything else calls a store. Prints every finding as `file:line  kind  text` and a total; exits 1 when there is one.
// `--summary` prints counts per file only. Used by test/unit/data-access.spec.ts (npm test, CI).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A statement in a string or template: the keywords PostgreSQL statements and their clauses start with. */
const SQL = /\b(SELECT\s|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|ON\s+CONFLICT|TRUNCATE\s|COPY\s+\w+|pg_advisory\w*|pg_try_advisory\w*|SET\s+LOCAL|LOCK\s+TABLE|ANALYZE\s+\w+|GRANT\s|REVOKE\s)/;
/** Database handles: whoever holds one can run SQL. */
const HANDLES = new Set(['DataSource', 'EntityManager', 'Repository', 'QueryRunner', 'InjectDataSource', 'InjectRepository', 'InjectEntityManager', 'getRepository']);
/** pg's own: a pool or a client runs SQL (its error classes do not). */
const PG_HANDLES = new Set(['Pool', 'PoolClient', 'Client', 'from']);
/** Calls that run SQL or build it. */
const CALLS = new Set(['query', 'createQueryBuilder', 'getRepository', 'transaction']);

export function isDataAccess(file) {
  return file.endsWith('.store.ts');
}

/** src/database/ outside its stores: may hold handles and make calls, but writes no SQL. */
export function isPlumbing(file) {
  return file.startsWith('src/database/') && !isDataAccess(file);
}

export function sourceFiles(root = ROOT) {
  return readdirSync(join(root, 'src'), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => relative(root, join(e.parentPath, e.name)).split('\\').join('/'))
    .sort();
}

/** Every finding of one file's text: SQL in strings, imported database handles, SQL-running calls. */
export function findingsOf(file, text) {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found = [];
  const at = (node, kind, what) =>
    found.push({ file, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1, kind, what: what.replace(/\s+/g, ' ').trim().slice(0, 80) });
  const visit = (node) => {
    if (ts.isStringLiteralLike(node)) {
      if (SQL.test(node.text)) at(node, 'sql', node.text);
    } else if (ts.isTemplateExpression(node)) {
      const text = [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(' ${…} ');
      if (SQL.test(text)) at(node, 'sql', text);
    } else if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && /^(typeorm|@nestjs\/typeorm|pg|pg-copy-streams)(\/|$)/.test(node.moduleSpecifier.text)) {
      const names = node.importClause?.namedBindings && ts.isNamedImports(node.importClause.namedBindings) ? node.importClause.namedBindings.elements.map((e) => (e.propertyName ?? e.name).text) : [];
      const handles = names.filter((n) => HANDLES.has(n) || PG_HANDLES.has(n));
      const pgDefault = /^(pg|pg-copy-streams)$/.test(node.moduleSpecifier.text) && (node.importClause?.name || (node.importClause?.namedBindings && ts.isNamespaceImport(node.importClause.namedBindings)));
      if (pgDefault || handles.length > 0)
        at(node, 'handle', `import { ${handles.join(', ') || '…'} } from '${node.moduleSpecifier.text}'`);
    } else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && CALLS.has(node.expression.name.text)) {
      at(node, 'call', node.getText(source).split('\n')[0]);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

export function check(root = ROOT) {
  return sourceFiles(root)
    .filter((f) => !isDataAccess(f))
    .flatMap((f) => findingsOf(f, readFileSync(join(root, f), 'utf8')).filter((x) => !isPlumbing(f) || x.kind === 'sql'));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const findings = check();
  if (process.argv.includes('--summary')) {
    const byFile = new Map();
    for (const f of findings) {
      const c = byFile.get(f.file) ?? { sql: 0, handle: 0, call: 0 };
      c[f.kind]++;
      byFile.set(f.file, c);
    }
    for (const [file, c] of [...byFile].sort((a, b) => b[1].sql - a[1].sql)) console.log(`${String(c.sql).padStart(4)} sql ${String(c.handle).padStart(3)} handles ${String(c.call).padStart(3)} calls  ${file}`);
  } else {
    for (const f of findings) console.log(`${f.file}:${f.line}  ${f.kind}  ${f.what}`);
  }
  const count = (k) => findings.filter((f) => f.kind === k).length;
  console.log(`${count('sql')} SQL strings, ${count('handle')} database handles, ${count('call')} SQL calls outside stores in ${new Set(findings.map((f) => f.file)).size} files`);
  process.exitCode = findings.length > 0 ? 1 : 0;
}
