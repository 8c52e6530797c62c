/**
 * `node --import @swc-node/register/esm-register bench/extract.ts [--verbose]`
 *
 * Scores the rule-based extractor (src/extraction/) on every fixture in test/fixtures/extraction/:
 * a table of candidates, answers, precision and recall per text and overall (micro-averaged), then the
 * same per split (composed / real-dev / real-test) and per document kind of the real corpus, and, as the
 * last line of stdout, one JSON object {fixtures, overall, splits, kinds}. `overall` is the composed texts.
 * --verbose also lists the false positives and the misses. Matching rules: README in that folder (the real
 * corpus also needs the same deadline year).
 */
import { parseArgs } from 'node:util';
import { extractTargets } from '../src/extraction/extract.js';
import { matchesReal, score, total, type Score } from '../src/extraction/score.js';
import { loadFixtures, loadRealFixtures, type Fixture } from '../test/fixtures/extraction/fixtures.js';

const { values: opts } = parseArgs({ options: { verbose: { type: 'boolean', default: false } }, strict: true });

type Split = 'composed' | 'real-dev' | 'real-test';
interface Row {
  name: string;
  heldOut: boolean;
  split: Split;
  kind: string | null;
  s: Score;
  ms: number;
}

function run(f: Fixture, split: Split): Row {
  const t0 = performance.now();
  const candidates = extractTargets(f.text);
  const ms = performance.now() - t0;
  const s = split === 'composed' ? score(f.text, candidates, f.file.answers) : score(f.text, candidates, f.file.answers, matchesReal);
  return { name: split === 'composed' ? f.name : `${split}/${f.name}`, heldOut: f.file.heldOut === true, split, kind: f.file.kind ?? null, s, ms };
}

const all: Row[] = [
  ...loadFixtures().map((f) => run(f, 'composed')),
  ...loadRealFixtures('dev').map((f) => run(f, 'real-dev')),
  ...loadRealFixtures('test').map((f) => run(f, 'real-test')),
];
const rows = all.filter((r) => r.split === 'composed');

const round = (x: number) => Math.round(x * 1e4) / 1e4;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const width = Math.max(...all.map((r) => r.name.length + (r.heldOut ? 11 : 0)), 'overall'.length, 'kind execution-report'.length);
const line = (cols: string[]) => console.log(cols.map((c, i) => (i === 0 ? c.padEnd(width) : c.padStart(10))).join('  '));
line(['fixture', 'candidates', 'answers', 'precision', 'recall', 'comparator', 'deadline', 'ms']);
for (const r of rows) {
  line([
    r.name + (r.heldOut ? ' (held out)' : ''),
    String(r.s.candidates),
    String(r.s.answers),
    pct(r.s.precision),
    pct(r.s.recall),
    `${r.s.comparatorAgrees}/${r.s.matchedAnswers}`,
    `${r.s.deadlineAgrees}/${r.s.matchedAnswers}`,
    r.ms.toFixed(1),
  ]);
}
const overall = total(rows.map((r) => r.s));
line([
  'overall',
  String(overall.candidates),
  String(overall.answers),
  pct(overall.precision),
  pct(overall.recall),
  `${overall.comparatorAgrees}/${overall.matchedAnswers}`,
  `${overall.deadlineAgrees}/${overall.matchedAnswers}`,
  rows.reduce((n, r) => n + r.ms, 0).toFixed(1),
]);

const real = all.filter((r) => r.split !== 'composed');
for (const r of real) {
  line([r.name, String(r.s.candidates), String(r.s.answers), pct(r.s.precision), pct(r.s.recall), `${r.s.comparatorAgrees}/${r.s.matchedAnswers}`, `${r.s.deadlineAgrees}/${r.s.matchedAnswers}`, r.ms.toFixed(1)]);
}

const summary = (group: Row[]) => {
  const t = total(group.map((r) => r.s));
  return { precision: round(t.precision), recall: round(t.recall), candidates: t.candidates, answers: t.answers, documents: group.length };
};
const splits = Object.fromEntries((['composed', 'real-dev', 'real-test'] as const).map((sp) => [sp, summary(all.filter((r) => r.split === sp))]));
const kindNames = [...new Set(real.map((r) => r.kind ?? 'unknown'))].sort();
const kinds = Object.fromEntries(
  kindNames.map((k) => [k, Object.fromEntries((['real-dev', 'real-test'] as const).map((sp) => [sp, summary(real.filter((r) => r.split === sp && (r.kind ?? 'unknown') === k))]))]),
);
console.log('');
line(['split / kind', 'documents', 'answers', 'precision', 'recall']);
const sumLine = (label: string, x: ReturnType<typeof summary>) =>
  line([label, String(x.documents), String(x.answers), x.documents ? pct(x.precision) : '-', x.documents ? pct(x.recall) : '-']);
for (const [sp, x] of Object.entries(splits)) sumLine(sp, x);
for (const k of kindNames) for (const sp of ['real-dev', 'real-test'] as const) sumLine(`${sp} ${k}`, kinds[k][sp]);

if (opts.verbose) {
  for (const r of all) {
    for (const c of r.s.falsePositives) console.log(`  ${r.name}  false positive  ${c.value}${c.unit} (${c.deadline})  「${c.quote}」`);
    for (const a of r.s.misses) console.log(`  ${r.name}  missed          ${a.value}${a.unit}  「${a.quote}」`);
  }
}

console.log(
  JSON.stringify({
    fixtures: Object.fromEntries(
      rows.map((r) => [
        r.name,
        { precision: round(r.s.precision), recall: round(r.s.recall), candidates: r.s.candidates, answers: r.s.answers, heldOut: r.heldOut },
      ]),
    ),
    overall: { precision: round(overall.precision), recall: round(overall.recall), candidates: overall.candidates, answers: overall.answers },
    splits,
    kinds,
  }),
);
