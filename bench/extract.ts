/**
 * `node --import @swc-node/register/esm-register bench/extract.ts [--verbose]`
 *
 * Scores the rule-based extractor (src/extraction/) on every fixture in test/fixtures/extraction/:
 * a table of candidates, answers, precision and recall per text and overall (micro-averaged), then,
 * as the last line of stdout, one JSON object {fixtures: {name: {precision, recall, …}}, overall}.
 * --verbose also lists the false positives and the misses. Matching rule: README in that folder.
 */
import { parseArgs } from 'node:util';
import { extractTargets } from '../src/extraction/extract.js';
import { score, total, type Score } from '../src/extraction/score.js';
import { loadFixtures } from '../test/fixtures/extraction/fixtures.js';

const { values: opts } = parseArgs({ options: { verbose: { type: 'boolean', default: false } }, strict: true });

const rows: { name: string; heldOut: boolean; s: Score; ms: number }[] = [];
for (const f of loadFixtures()) {
  const t0 = performance.now();
  const candidates = extractTargets(f.text);
  const ms = performance.now() - t0;
  rows.push({ name: f.name, heldOut: f.file.heldOut === true, s: score(f.text, candidates, f.file.answers), ms });
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const width = Math.max(...rows.map((r) => r.name.length + (r.heldOut ? 11 : 0)), 'overall'.length);
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

if (opts.verbose) {
  for (const r of rows) {
    for (const c of r.s.falsePositives) console.log(`  ${r.name}  false positive  ${c.value}${c.unit}  「${c.quote}」`);
    for (const a of r.s.misses) console.log(`  ${r.name}  missed          ${a.value}${a.unit}  「${a.quote}」`);
  }
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;
console.log(
  JSON.stringify({
    fixtures: Object.fromEntries(
      rows.map((r) => [
        r.name,
        { precision: round(r.s.precision), recall: round(r.s.recall), candidates: r.s.candidates, answers: r.s.answers, heldOut: r.heldOut },
      ]),
    ),
    overall: { precision: round(overall.precision), recall: round(overall.recall), candidates: overall.candidates, answers: overall.answers },
  }),
);
