/** Plan-execution reports: the plan as the target and the actual as its figure, so its history comes along. */
import type { Candidate } from './extract.js';
import type { DocumentYear } from './deadlines.js';
import { parseArabic, round } from './numerals.js';
import { cleanSubject } from './subject.js';

const NUM = String.raw`\d+(?:,\d{3})*(?:\.\d+)?`;
const UNIT = String.raw`(?:万亿|亿|万|千)?(?:元|美元|吨|千瓦时|标准煤|个|家|项|人|户|套|亩|平方米|公里|千米|辆|台|件|次|%|千瓦|万千瓦)?`;
const PLAN = new RegExp(
  String.raw`完成(?:全年|年度|年|本年)?(?:投资)?(?:计划|目标|预期目标|任务)(?:任务|目标)?\s*(?:(${NUM})\s*(${UNIT}))?\s*的\s*(${NUM})\s*%`,
  'g',
);
/** 城镇登记失业率3.52%，控制在预期4.2%以内: the plan a ceiling, the actual before it */
const PLAN_CAP = new RegExp(String.raw`控制在(?:全年|年度)?(?:预期|计划|目标)(?:目标)?\s*(${NUM})\s*(${UNIT})\s*(?:以内|以下)`, 'g');
/** 一般公共预算收入下降5.2%，好于下降7%的预期: a planned change, the actual change before it */
const PLAN_CHANGE = new RegExp(String.raw`(?:好于|优于|快于|高于|低于|慢于)(下降|增长)\s*(${NUM})\s*(%)\s*的(?:预期|计划|目标)`, 'g');
const AMOUNT = new RegExp(String.raw`(?<![\d.])(${NUM})\s*(${UNIT})`, 'g');
const GROWTH_BEFORE = /(?:增长|下降|增速|提高|回落|降低|减少|增加)\s*$/;
/** 高于全年目标任务0.1个百分点: an actual compared with the plan, not a target */
const AGAINST_PLAN = new RegExp(String.raw`(?:高于|低于|超过|超出|快于|慢于|好于|塌|差)(?:全年|年度|年)?(?:目标|计划|预期)(?:任务|目标)?\s*${NUM}\s*(?:个百分点|%)`, 'g');
/** 12项主要预期目标中10项能够达到: a count of the plan's targets met */
const TARGETS_MET = new RegExp(String.raw`${NUM}\s*项(?:主要)?(?:预期性?|约束性|经济社会发展)?(?:目标|指标)(?:中|里|当中)[^。；;\n]*`, 'g');
/** 1-9月, 前三季度, 上半年, 截至8月: a figure for part of the year, not the year's actual */
const PART_OF_YEAR = /\d{1,2}\s*[-—–~～至]\s*\d{1,2}\s*月|前[一二三]季度|上半年|截至\s*\d{1,2}\s*月/;

export interface ExecutionFound {
  candidates: Candidate[];
  /** the clauses read here: sentence rules skip them (their actuals are not targets) */
  spans: { start: number; end: number }[];
}

export function extractExecution(text: string, norm: string, doc: DocumentYear): ExecutionFound {
  const candidates: Candidate[] = [];
  const spans: { start: number; end: number }[] = [];
  for (const m of norm.matchAll(PLAN)) {
    const at = m.index!;
    const clauseStart = boundaryBefore(norm, at);
    const before = norm.slice(clauseStart, at);
    const pct = Number(m[3]);
    let plan = m[1] ? parseArabic(m[1]) : null;
    let unit = m[2] ?? '';
    // the actual: the last amount before the plan in its statement, not a growth rate
    const actualMatch = [...before.matchAll(AMOUNT)]
      .filter((a) => a[2] !== '' && !GROWTH_BEFORE.test(before.slice(0, a.index)) && (unit === '' || a[2] === unit))
      .pop();
    const actualStated = actualMatch ? parseArabic(actualMatch[1]) : null;
    if (actualMatch && !unit) unit = actualMatch[2];
    const notes: string[] = [];
    const partial = PART_OF_YEAR.test(norm.slice(paragraphStart(norm, at), at));
    // a statement of execution: its figures are actuals, whether or not a plan can be proposed
    spans.push({ start: clauseStart, end: sentenceEnd(norm, at + m[0].length) });
    if (plan === null && partial) continue;
    if (plan === null) {
      if (actualStated === null || pct <= 0) continue;
      plan = round(actualStated / (pct / 100));
      notes.push(`年计划由实际值${actualStated}${unit}÷${pct}%推算为${plan}${unit}，待核对`);
    }
    const actual = actualStated ?? round((plan * pct) / 100);
    if (actualStated === null) notes.push(`实际值由年计划${plan}${unit}×${pct}%=${actual}${unit}推算`);
    const year = yearBefore(norm, at) ?? doc.year - 1;
    const subjectEnd = actualMatch ? clauseStart + actualMatch.index : at;
    const subject = cleanSubject(norm.slice(clauseStart, subjectEnd).replace(/^(?:其中|初步预计|预计|全年|全区|全市|全县)[，,：:]?/, '').replace(/(?:实现|完成|达到|为)$/, ''));
    const end = at + m[0].length;
    if (partial) notes.push(`计划执行情况：${year}年计划作为目标；文中实际值为年内累计，未作为${year}年的实际值`);
    else notes.push(`计划执行情况：${year}年计划作为目标，实际值${actual}${unit}作为${year}年的实际值`);
    candidates.push({
      subject,
      value: plan,
      unit,
      comparator: '>=',
      implicit: true,
      deadline: String(year),
      baseline: null,
      relative: null,
      quote: text.slice(clauseStart, end),
      start: clauseStart,
      end,
      confidence: 0.8,
      notes,
      ...(!partial && { figures: [{ period: String(year), value: actual }] }),
    });
  }
  // a review's actual against the year's plan (控制在预期4.2%以内, 好于下降7%的预期): the plan for that year, the actual a figure
  for (const [re, kind] of [[PLAN_CAP, 'cap'], [PLAN_CHANGE, 'change']] as const) {
    for (const m of norm.matchAll(re)) {
      const at = m.index!;
      const clauseStart = boundaryBefore(norm, at);
      const plan = parseArabic(kind === 'cap' ? m[1] : m[2]);
      const unit = kind === 'cap' ? m[2] : '%';
      if (plan === null) continue;
      const before = norm.slice(clauseStart, at);
      const actualMatch = [...before.matchAll(AMOUNT)].filter((a) => a[2] === unit).pop();
      const actual = actualMatch ? parseArabic(actualMatch[1]) : null;
      const partial = PART_OF_YEAR.test(norm.slice(paragraphStart(norm, at), at));
      const year = yearBefore(norm, at) ?? doc.year - 1;
      const end = at + m[0].length;
      spans.push({ start: clauseStart, end: sentenceEnd(norm, end) });
      const lastClause = Math.max(clauseStart, ...[...before.matchAll(/[，,]/g)].map((c) => clauseStart + c.index! + 1).filter((c) => !actualMatch || c <= clauseStart + actualMatch.index!));
      const subject = cleanSubject(norm.slice(lastClause, actualMatch ? clauseStart + actualMatch.index! : at).replace(/(?:实现|完成|达到|为|下降|增长)$/, ''));
      const decrease = kind === 'change' && m[1] === '下降';
      const notes = [`计划执行情况：${year}年计划（预期）${kind === 'change' ? m[1] : ''}${plan}${unit}作为目标${actual !== null && !partial ? `，实际值${actual}${unit}作为${year}年的实际值` : ''}`];
      candidates.push({
        subject,
        value: plan,
        unit,
        comparator: kind === 'cap' || decrease ? '<=' : '>=',
        implicit: kind === 'change',
        deadline: String(year),
        baseline: null,
        relative: kind === 'change' ? { kind: decrease ? 'decrease' : 'increase', amount: plan, unit } : null,
        quote: text.slice(actualMatch ? clauseStart + actualMatch.index! : at, end),
        start: actualMatch ? clauseStart + actualMatch.index! : at,
        end,
        confidence: 0.7,
        notes,
        ...(actual !== null && !partial && { figures: [{ period: String(year), value: actual }] }),
      });
    }
  }
  for (const re of [AGAINST_PLAN, TARGETS_MET]) for (const m of norm.matchAll(re)) spans.push({ start: m.index!, end: m.index! + m[0].length });
  return { candidates, spans };
}

/** Start of the statement the plan belongs to: after the last 。；; or line break, and after a leading 其中，. */
function boundaryBefore(norm: string, at: number): number {
  let i = at;
  while (i > 0 && !/[。；;！？!?\n]/.test(norm[i - 1])) i--;
  while (/\s/.test(norm[i] ?? '')) i++;
  return i;
}

function paragraphStart(norm: string, at: number): number {
  const i = norm.lastIndexOf('\n', at - 1);
  return i + 1;
}

/** End of the statement: the next 。；; or line break (增长2.0% after the plan is the actual's growth, not a target). */
function sentenceEnd(norm: string, from: number): number {
  const m = /[。；;！？!?\n]/.exec(norm.slice(from));
  return m ? from + m.index : norm.length;
}

/** The year the report speaks of: the last year written before the statement. */
function yearBefore(norm: string, at: number): number | null {
  let y: number | null = null;
  for (const m of norm.slice(0, at).matchAll(/((?:19|20)\d{2})\s*年(?![\d—–\-~～至])/g)) y = Number(m[1]);
  return y;
}
