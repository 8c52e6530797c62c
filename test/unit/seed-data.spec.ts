import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { DEPARTMENTS } from '../../seeds/data/departments.js';
import { ARTICLE_DOCUMENT, ARTICLE_TARGETS, DOUBLING_PLAN } from '../../seeds/data/article-targets.js';

const ARTICLE = readFileSync(
  new URL('../../seeds/source/yubei-advanced-manufacturing-2024.txt', import.meta.url),
  'utf8',
);
const LINES = ARTICLE.split(/\r?\n/);

const CODE_RE = /^[A-Z][A-Z0-9-]{1,39}$/;
const PERIOD_RE = /^(\d{4})(?:Q([1-4])|-(0[1-9]|1[0-2]))?$/;
const DECIMAL_RE = /^-?\d+(?:\.\d+)?$/;

/** Period end in fractional years (DESIGN.md): t(YYYY)=YYYY+1, t(YYYYQn)=YYYY+n/4, t(YYYY-MM)=YYYY+m/12. */
function periodEnd(period: string): number {
  const m = PERIOD_RE.exec(period);
  assert.ok(m, `bad period ${period}`);
  const year = Number(m[1]);
  if (m[2]) return year + Number(m[2]) / 4;
  if (m[3]) return year + Number(m[3]) / 12;
  return year + 1;
}

const byCode = new Map(ARTICLE_TARGETS.map((t) => [t.code, t]));

describe('seed data: article source', () => {
  it('document title appears in the article on a line of its own', () => {
    assert.ok(LINES.includes(ARTICLE_DOCUMENT), ARTICLE_DOCUMENT);
    assert.ok(ARTICLE_DOCUMENT.includes('\u201c四新\u201d'), 'curly quotes as in the article');
  });

  it('every quote is an exact substring of one line of the article', () => {
    for (const t of ARTICLE_TARGETS) {
      const q = t.source.quote;
      assert.ok(q.length >= 6, `${t.code}: quote too short`);
      assert.ok(!/[\r\n]/.test(q), `${t.code}: quote spans a line break`);
      assert.ok(ARTICLE.includes(q), `${t.code}: quote not in article: ${q}`);
      assert.ok(LINES.some((l) => l.includes(q)), `${t.code}: quote not inside one line`);
      assert.equal(t.source.document, ARTICLE_DOCUMENT, t.code);
      assert.equal(t.source.url, null, t.code);
    }
  });

  it('the doubling plan named in notes is quoted exactly from the article', () => {
    assert.ok(ARTICLE.includes(DOUBLING_PLAN));
    for (const code of ['TECH-ENTERPRISES', 'HIGHTECH-ENTERPRISES']) {
      assert.ok(byCode.get(code)?.notes?.includes(DOUBLING_PLAN), code);
    }
  });

  it('quotes contain the stated figures (target, or baseline when the target is derived)', () => {
    const stated: Record<string, string> = {
      'DT-ENTERPRISES': '350',
      'DT-COVERAGE': '90%',
      'NEV-OUTPUT': '2000亿元',
      'CHANGAN-CAPACITY': '28万辆',
      'CHANGAN-OUTPUT': '500亿元',
      'TECH-ENTERPRISES': '2782',
      'HIGHTECH-ENTERPRISES': '506',
      'FISCAL-FUNDS': '2亿元',
      'DT-PILOT-MATURITY': '二级及以上',
    };
    for (const t of ARTICLE_TARGETS) {
      assert.ok(stated[t.code], `${t.code}: no expectation listed`);
      assert.ok(t.source.quote.includes(stated[t.code]), `${t.code}: quote lacks ${stated[t.code]}`);
    }
  });
});

describe('seed data: departments', () => {
  it('codes unique and well-formed, names and emails plausible', () => {
    const codes = DEPARTMENTS.map((d) => d.code);
    assert.equal(new Set(codes).size, codes.length, 'duplicate department code');
    for (const d of DEPARTMENTS) {
      assert.match(d.code, CODE_RE);
      assert.match(d.name, /^区.+(委|局)$/, d.name);
      for (const e of d.emails) assert.match(e, /^[^@\s]+@([a-z0-9-]+\.)*example\.org$/, e);
    }
    assert.deepEqual(
      Object.fromEntries(DEPARTMENTS.map((d) => [d.code, d.name])),
      {
        'ECON-INFO': '区经济信息委',
        'SCI-TECH': '区科技局',
        FINANCE: '区财政局',
        DRC: '区发展改革委',
        STATS: '区统计局',
        COMMERCE: '区商务委',
      },
    );
  });
});

describe('seed data: targets', () => {
  it('codes unique and well-formed', () => {
    const codes = ARTICLE_TARGETS.map((t) => t.code);
    assert.equal(new Set(codes).size, codes.length, 'duplicate target code');
    for (const c of codes) assert.match(c, CODE_RE);
    assert.equal(codes.length, 9);
  });

  it('every department referenced exists; lead is not also supporting', () => {
    const known = new Set(DEPARTMENTS.map((d) => d.code));
    for (const t of ARTICLE_TARGETS) {
      assert.ok(known.has(t.department), `${t.code}: unknown lead ${t.department}`);
      for (const s of t.supporting) assert.ok(known.has(s), `${t.code}: unknown supporting ${s}`);
      assert.ok(!t.supporting.includes(t.department), `${t.code}: lead listed as supporting`);
      assert.equal(new Set(t.supporting).size, t.supporting.length, `${t.code}: duplicate supporting`);
    }
  });

  it('enumerations, periods and decimal values are well-formed', () => {
    for (const t of ARTICLE_TARGETS) {
      assert.ok(['level', 'flow'].includes(t.kind), t.code);
      assert.ok(['>=', '>', '<=', '<'].includes(t.comparator), t.code);
      assert.ok(['linear', 'cagr'].includes(t.method), t.code);
      assert.ok(['quarterly', 'monthly', 'yearly'].includes(t.frequency), t.code);
      assert.ok(['time', 'seasonal'].includes(t.expectation), t.code);
      assert.ok(t.name.trim() && t.unit.trim() && t.category.trim(), t.code);
      const pvs = [t.target, ...t.milestones, ...(t.baseline ? [t.baseline] : [])];
      for (const pv of pvs) {
        assert.match(pv.period, PERIOD_RE, `${t.code}: period ${pv.period}`);
        assert.match(pv.value, DECIMAL_RE, `${t.code}: value ${pv.value}`);
      }
      for (const m of t.milestones) {
        assert.ok(periodEnd(m.period) <= periodEnd(t.target.period), `${t.code}: milestone after target`);
        if (t.baseline) assert.ok(periodEnd(m.period) > periodEnd(t.baseline.period), t.code);
      }
      // a flow target is a yearly total: its target and milestones are years
      if (t.kind === 'flow') {
        for (const pv of [t.target, ...t.milestones]) assert.match(pv.period, /^\d{4}$/, t.code);
      }
    }
  });

  it('baselines stated only for TECH-ENTERPRISES and HIGHTECH-ENTERPRISES', () => {
    const withBaseline = ARTICLE_TARGETS.filter((t) => t.baseline !== null).map((t) => t.code).sort();
    assert.deepEqual(withBaseline, ['HIGHTECH-ENTERPRISES', 'TECH-ENTERPRISES']);
  });

  it('target beyond baseline in the comparator direction, and later in time', () => {
    for (const t of ARTICLE_TARGETS) {
      if (!t.baseline) continue;
      const d = t.comparator.startsWith('>') ? 1 : -1;
      assert.ok(d * (Number(t.target.value) - Number(t.baseline.value)) > 0, t.code);
      assert.ok(periodEnd(t.target.period) > periodEnd(t.baseline.period), t.code);
    }
  });

  it('targets as listed', () => {
    const summary = Object.fromEntries(
      ARTICLE_TARGETS.map((t) => [
        t.code,
        [t.kind, t.comparator, t.method, t.frequency, t.unit, t.department, t.binding, t.category,
          t.baseline ? `${t.baseline.period}:${t.baseline.value}` : null,
          `${t.target.period}:${t.target.value}`].join(' '),
      ]),
    );
    assert.deepEqual(summary, {
      'DT-ENTERPRISES': 'level >= linear quarterly 家 ECON-INFO true 数字化转型  2025:350',
      'DT-COVERAGE': 'level > linear quarterly % ECON-INFO true 数字化转型  2025:90',
      'DT-PILOT-MATURITY': 'level >= linear quarterly % ECON-INFO false 数字化转型  2025:100',
      'NEV-OUTPUT': 'flow >= linear quarterly 亿元 ECON-INFO true 汽车产业  2025:2000',
      'CHANGAN-CAPACITY': 'level >= linear quarterly 万辆 ECON-INFO false 汽车产业  2025:28',
      'CHANGAN-OUTPUT': 'flow >= linear quarterly 亿元 ECON-INFO false 汽车产业  2025:500',
      'TECH-ENTERPRISES': 'level >= cagr quarterly 家 SCI-TECH false 科技创新 2023:2782 2027:5564',
      'HIGHTECH-ENTERPRISES': 'level >= cagr quarterly 家 SCI-TECH false 科技创新 2023:506 2027:1012',
      'FISCAL-FUNDS': 'flow >= linear yearly 亿元 FINANCE false 财政投入  2025:2',
    });
    assert.deepEqual(byCode.get('FISCAL-FUNDS')?.milestones, [{ period: '2024', value: '2' }]);
    assert.deepEqual(byCode.get('FISCAL-FUNDS')?.supporting, ['ECON-INFO']);
    // 倍增: target is exactly double the baseline
    for (const code of ['TECH-ENTERPRISES', 'HIGHTECH-ENTERPRISES']) {
      const t = byCode.get(code)!;
      assert.equal(Number(t.target.value), 2 * Number(t.baseline!.value), code);
    }
  });

  it('assumptions the article does not state are written in notes', () => {
    for (const code of ['CHANGAN-CAPACITY', 'CHANGAN-OUTPUT']) {
      assert.ok(byCode.get(code)?.notes?.includes('文中未写明期限，暂按2025年，待牵头单位确认'), code);
    }
    assert.match(byCode.get('DT-PILOT-MATURITY')?.notes ?? '', /量化/);
    assert.match(byCode.get('FISCAL-FUNDS')?.notes ?? '', /暂定/);
    for (const t of ARTICLE_TARGETS) {
      if (t.notes !== null) assert.match(t.notes, /[\u4e00-\u9fff]/, `${t.code}: notes in Chinese`);
    }
  });
});
