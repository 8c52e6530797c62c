#!/usr/bin/env node
// Checks the documentation against the code: every environment variable the code reads (the keys of
// src/config/config.ts's schema, process.env reads in the sources, tests and benches, ${NAME:-…} in the shell
// scripts) appears as `NAME` in README.md or docs/*.md, and every relative link in them points at a file
// (and, for a Markdown file, at a heading) that exists.   node scripts/check-docs.mjs [--variables: those only]
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// set or read by a process for itself, not configuration
const NOT_CONFIGURATION = new Set(['PATH', 'HOME', 'PGOPTIONS', 'LOG_PREFIX', 'DEBIAN_FRONTEND']);

const read = (file) => readFileSync(join(root, file), 'utf8');
const files = (dir, test) =>
  readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && test(e.name))
    .map((e) => relative(root, join(e.parentPath ?? e.path, e.name)));

/** The keys of the `schema` object of src/config/config.ts. */
export function configKeys(source = read('src/config/config.ts')) {
  const body = /^const schema = z\.object\(\{\n([\s\S]*?)\n\}\);/m.exec(source);
  if (!body) throw new Error('src/config/config.ts: no `const schema = z.object({ … });`');
  return [...body[1].matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]);
}

/** Variables read anywhere in the code, by file. */
export function variablesRead() {
  const found = new Map(configKeys().map((k) => [k, 'src/config/config.ts']));
  const code = ['src', 'test', 'bench', 'seeds', 'scripts'].flatMap((d) => files(d, (n) => /\.(ts|mjs)$/.test(n)));
  for (const file of code) {
    for (const m of read(file).matchAll(/process\.env(?:\.([A-Z_][A-Z0-9_]*)|\[['"]([A-Z_][A-Z0-9_]*)['"]\])/g)) {
      const name = m[1] ?? m[2];
      if (!found.has(name)) found.set(name, file);
    }
  }
  for (const file of ['.ci/run', ...files('scripts', (n) => n.endsWith('.sh'))]) {
    for (const m of read(file).matchAll(/\$\{([A-Z_][A-Z0-9_]*):-/g)) if (!found.has(m[1])) found.set(m[1], file);
  }
  for (const name of NOT_CONFIGURATION) found.delete(name);
  return found;
}

const docs = () => ['README.md', ...files('docs', (n) => n.endsWith('.md'))];

export function undocumentedVariables() {
  const text = docs().map(read).join('\n');
  return [...variablesRead()].filter(([name]) => !text.includes('`' + name + '`')).map(([name, file]) => `${name} (read in ${file})`);
}

/** GitHub's anchor of a heading: lower case, punctuation dropped (CJK kept), spaces to hyphens. */
const slug = (heading) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\- _]/gu, '').replace(/ /g, '-');

export function brokenLinks() {
  const problems = [];
  for (const file of docs()) {
    const text = read(file).replace(/```[\s\S]*?```/g, '');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target)) continue;
      const [path, anchor] = target.split('#');
      const resolved = path ? join(dirname(file), decodeURI(path)) : file;
      if (!existsSync(join(root, resolved))) {
        problems.push(`${file}: ${target} (no ${resolved})`);
      } else if (anchor && resolved.endsWith('.md')) {
        const headings = [...read(resolved).matchAll(/^#+ (.*)$/gm)].map((m) => slug(m[1]));
        if (!headings.includes(decodeURI(anchor))) problems.push(`${file}: ${target} (no heading #${anchor} in ${resolved})`);
      }
    }
  }
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const variables = undocumentedVariables();
  const links = process.argv.includes('--variables') ? [] : brokenLinks();
  for (const v of variables) console.error(`undocumented variable: ${v}`);
  for (const l of links) console.error(`broken link: ${l}`);
  console.log(`${variablesRead().size} variables, ${variables.length} undocumented; ${links.length} broken links`);
  process.exit(variables.length || links.length ? 1 : 0);
}
