/**
 * Scoring the extractor against hand-made answers (test/fixtures/extraction/README.md).
 * A candidate matches an answer when the numbers are equal, the units are equal (both read with
 * full-width forms folded: ％ = %) and the quote spans overlap. Counted on each side, not one to one:
 * precision = matched candidates / candidates, recall = matched answers / answers (1 when the
 * side is empty).
 */
import type { Candidate, Comparator } from './extract.js';
import { normalizeWidth } from './text.js';

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

export function matches(c: Candidate, a: LocatedAnswer): boolean {
  return sameNumber(c.value, a.value) && normalizeWidth(c.unit) === normalizeWidth(a.unit) && c.start < a.end && a.start < c.end;
}

export function score(text: string, candidates: readonly Candidate[], answers: readonly Answer[]): Score {
  const located = locateAnswers(text, answers);
  const matchedCandidates = candidates.filter((c) => located.some((a) => matches(c, a)));
  const matchedAnswers = located.filter((a) => candidates.some((c) => matches(c, a)));
  let comparatorAgrees = 0;
  let deadlineAgrees = 0;
  for (const a of matchedAnswers) {
    const cs = candidates.filter((c) => matches(c, a));
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
