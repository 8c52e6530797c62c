/** Scoring the extractor against hand-made answers (test/fixtures/extraction/README.md). */
import type { Candidate, Comparator } from './extract.js';
import { normalizeWidth } from './text.js';
import { toSimplified } from './traditional.js';

export interface Answer {
  quote: string;
  /** needed only when the quote occurs more than once in the text */
  start?: number;
  value: number;
  unit: string;
  comparator?: Comparator;
  deadline?: string | null;
  subject?: string;
  baseline?: { period: string | null; value: number };
  relative?: 'decrease' | 'increase' | 'multiply';
}

export interface LocatedAnswer extends Answer {
  start: number;
  end: number;
}

export interface Score {
  candidates: number;
  answers: number;
  matchedCandidates: number;
  matchedAnswers: number;
  precision: number;
  recall: number;
  /** among matched answers: how many of the matching candidates also agree on these */
  comparatorAgrees: number;
  deadlineAgrees: number;
  falsePositives: Candidate[];
  misses: LocatedAnswer[];
}

/** Where each answer's quote is; throws when a quote is missing or ambiguous. */
export function locateAnswers(text: string, answers: readonly Answer[]): LocatedAnswer[] {
  return answers.map((a) => {
    const start = a.start ?? text.indexOf(a.quote);
    if (start < 0 || text.slice(start, start + a.quote.length) !== a.quote) throw new Error(`answer quote not in text: ${a.quote}`);
    if (a.start === undefined && text.indexOf(a.quote, start + 1) >= 0) throw new Error(`answer quote occurs twice, give its start: ${a.quote}`);
    return { ...a, start, end: start + a.quote.length };
  });
}

export function sameNumber(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

/** The rule of the composed texts: same number and unit, overlapping quotes (the deadline is only reported). */
export function matches(c: Candidate, a: LocatedAnswer): boolean {
  return sameNumber(c.value, a.value) && normalizeWidth(c.unit) === normalizeWidth(a.unit) && c.start < a.end && a.start < c.end;
}

export function score(
  text: string,
  candidates: readonly Candidate[],
  answers: readonly Answer[],
  rule: (c: Candidate, a: LocatedAnswer) => boolean = matches,
): Score {
  const located = locateAnswers(text, answers);
  const matchedCandidates = candidates.filter((c) => located.some((a) => rule(c, a)));
  const matchedAnswers = located.filter((a) => candidates.some((c) => rule(c, a)));
  let comparatorAgrees = 0;
  let deadlineAgrees = 0;
  for (const a of matchedAnswers) {
    const cs = candidates.filter((c) => rule(c, a));
    if (a.comparator === undefined || cs.some((c) => c.comparator === a.comparator)) comparatorAgrees++;
    if (a.deadline === undefined || cs.some((c) => c.deadline === a.deadline)) deadlineAgrees++;
  }
  return {
    candidates: candidates.length,
    answers: located.length,
    matchedCandidates: matchedCandidates.length,
    matchedAnswers: matchedAnswers.length,
    precision: candidates.length ? matchedCandidates.length / candidates.length : 1,
    recall: located.length ? matchedAnswers.length / located.length : 1,
    comparatorAgrees,
    deadlineAgrees,
    falsePositives: candidates.filter((c) => !matchedCandidates.includes(c)),
    misses: located.filter((a) => !matchedAnswers.includes(a)),
  };
}

/** Totals over several scored texts (micro-averaged: counts are summed, then divided). */
export function total(scores: readonly Score[]): Omit<Score, 'falsePositives' | 'misses'> {
  const sum = (k: 'candidates' | 'answers' | 'matchedCandidates' | 'matchedAnswers' | 'comparatorAgrees' | 'deadlineAgrees') =>
    scores.reduce((n, s) => n + s[k], 0);
  const candidates = sum('candidates');
  const answers = sum('answers');
  return {
    candidates,
    answers,
    matchedCandidates: sum('matchedCandidates'),
    matchedAnswers: sum('matchedAnswers'),
    precision: candidates ? sum('matchedCandidates') / candidates : 1,
    recall: answers ? sum('matchedAnswers') / answers : 1,
    comparatorAgrees: sum('comparatorAgrees'),
    deadlineAgrees: sum('deadlineAgrees'),
  };
}

const MAGNITUDE_FACTORS: [string, number][] = [
  ['万亿', 1e12], ['千亿', 1e11], ['百亿', 1e10], ['千万', 1e7], ['百万', 1e6], ['十万', 1e5], ['亿', 1e8], ['万', 1e4],
];

/** A figure in its base unit: 1.2万亿元 → 1.2e12 元, 12000亿元 → 1.2e12 元, ％ → %, 萬輛 → 1e4 辆. */
export function inBaseUnit(value: number, unit: string): { amount: number; base: string } {
  const u = normalizeWidth(toSimplified(unit));
  for (const [m, f] of MAGNITUDE_FACTORS) {
    if (u.startsWith(m) && u.length > m.length) return { amount: value * f, base: u.slice(m.length) };
  }
  return { amount: value, base: u };
}

/** The real corpus's rule: the same value after units and the same deadline year, for an overlapping quote. */
export function matchesReal(c: Candidate, a: LocatedAnswer): boolean {
  const x = inBaseUnit(c.value, c.unit);
  const y = inBaseUnit(a.value, a.unit);
  return x.base === y.base && sameNumber(x.amount, y.amount) && (c.deadline ?? null) === (a.deadline ?? null) && c.start < a.end && a.start < c.end;
}
