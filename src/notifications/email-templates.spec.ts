import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AlertKind } from '../alerts/alert-rules.js';
import {
  escapeHtml,
  renderBindingAlert,
  renderDigest,
  renderReminder,
  targetUrl,
  type AlertRow,
  type DigestModel,
  type ReminderModel,
} from './email-templates.js';

const tz = 'Asia/Shanghai';
const asOf = new Date('2025-11-29T09:00:00+08:00');
const appUrl = 'https://monitor.example.gov.cn';

const enterprises: AlertRow = {
  code: 'DT-ENTERPRISES',
  name: '数字化改造企业数',
  unit: '家',
  target: 350,
  targetPeriod: '2025',
  latestValue: 260,
  latestPeriod: '2024Q4',
  completion: 0.4,
  elapsed: 0.5,
  gap: 90,
  status: 'lagging',
  early: false,
  kind: 'lagging',
  role: 'lead',
};
const output: AlertRow = {
  code: 'NEV-OUTPUT',
  name: '智能网联新能源汽车年产值',
  unit: '亿元',
  target: 2000,
  targetPeriod: '2025',
  latestValue: 1234.567,
  latestPeriod: '2025Q3',
  completion: 0.617,
  elapsed: 0.75,
  gap: 765.433,
  status: 'at_risk',
  early: false,
  kind: 'at_risk',
  role: 'support',
};
const coverage: AlertRow = {
  code: 'G5 COVERAGE',
  name: '5G覆盖率',
  unit: '%',
  target: 95,
  targetPeriod: '2025',
  latestValue: null,
  latestPeriod: null,
  completion: null,
  elapsed: null,
  gap: null,
  status: 'no_data',
  early: false,
  kind: 'data_overdue',
  role: 'lead',
};

function row(code: string, kind: AlertKind, over: Partial<AlertRow> = {}): AlertRow {
  return { ...enterprises, code, name: `指标${code}`, kind, status: kind === 'at_risk' ? 'at_risk' : 'lagging', ...over };
}
function digest(over: Partial<DigestModel> = {}): DigestModel {
  return { lang: 'zh-CN', appUrl, asOf, tz, recipientName: null, fresh: [], ongoing: [], resolved: [], ...over };
}

describe('escapeHtml / targetUrl', () => {
  it('escapes markup, ampersands and quotes', () => {
    assert.equal(escapeHtml(`<script>alert("x")</script> & 'y'`), '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;');
    assert.equal(escapeHtml('&amp;'), '&amp;amp;');
    assert.equal(escapeHtml('数字化 100%'), '数字化 100%');
  });
  it('links to the target by its encoded code, with or without a trailing slash on the app URL', () => {
    assert.equal(targetUrl(appUrl, 'DT-ENTERPRISES'), `${appUrl}/targets/DT-ENTERPRISES`);
    assert.equal(targetUrl(`${appUrl}/`, 'A&B/1 2'), `${appUrl}/targets/A%26B%2F1%202`);
  });
});

describe('renderDigest: subject', () => {
  const cases: [string, Partial<DigestModel>, string, string][] = [
    [
      '3 lagging (fresh and ongoing) and 1 overdue',
      { fresh: [row('A', 'lagging'), row('B', 'lagging')], ongoing: [row('C', 'lagging'), row('D', 'data_overdue')] },
      '【目标监测】第3季度：3项指标滞后，1项数据逾期',
      '[Target monitor] Q3: 3 targets lagging, 1 with overdue data',
    ],
    [
      'one of each kind and 2 resolved',
      { fresh: [row('A', 'lagging'), row('B', 'at_risk')], ongoing: [row('C', 'data_overdue')], resolved: [row('D', 'lagging'), row('E', 'at_risk')] },
      '【目标监测】第3季度：1项指标滞后，1项指标需加快，1项数据逾期，2项已恢复',
      '[Target monitor] Q3: 1 target lagging, 1 target at risk, 1 with overdue data, 2 resolved',
    ],
    [
      'only at risk',
      { ongoing: [row('A', 'at_risk'), row('B', 'at_risk')] },
      '【目标监测】第3季度：2项指标需加快',
      '[Target monitor] Q3: 2 targets at risk',
    ],
    [
      'only overdue, several',
      { fresh: [row('A', 'data_overdue'), row('B', 'data_overdue'), row('C', 'data_overdue')] },
      '【目标监测】第3季度：3项数据逾期',
      '[Target monitor] Q3: 3 with overdue data',
    ],
    ['only resolved', { resolved: [row('A', 'lagging')] }, '【目标监测】第3季度：1项已恢复', '[Target monitor] Q3: 1 resolved'],
    ['nothing', {}, '【目标监测】第3季度：各项指标正常', '[Target monitor] Q3: all targets normal'],
    [
      'a target listed twice under one kind counts once',
      { fresh: [row('A', 'lagging')], ongoing: [row('A', 'lagging', { role: 'support' })] },
      '【目标监测】第3季度：1项指标滞后',
      '[Target monitor] Q3: 1 target lagging',
    ],
    [
      'early January names the fourth quarter',
      { asOf: new Date('2026-01-05T09:00:00+08:00'), fresh: [row('A', 'lagging')] },
      '【目标监测】第4季度：1项指标滞后',
      '[Target monitor] Q4: 1 target lagging',
    ],
  ];
  for (const [name, over, zh, en] of cases) {
    it(name, () => {
      assert.equal(renderDigest(digest(over)).subject, zh);
      assert.equal(renderDigest(digest({ ...over, lang: 'en' })).subject, en);
    });
  }
});

describe('renderDigest: body', () => {
  const model = digest({ recipientName: '王主任', fresh: [enterprises], ongoing: [output, coverage], resolved: [] });
  const zh = renderDigest(model);
  const en = renderDigest({ ...model, lang: 'en' });

  it('has a section per non-empty list, with the column headings', () => {
    assert.match(zh.html, /新增预警（1）/);
    assert.match(zh.html, /持续预警（2）/);
    assert.doesNotMatch(zh.html, /已恢复/);
    for (const h of ['指标', '目标', '最新值', '完成率', '序时进度', '差距', '状态']) assert.ok(zh.html.includes(`>${h}</th>`), h);
    for (const h of ['Target', 'Goal', 'Latest', 'Completion', 'Elapsed', 'Gap', 'Status']) assert.ok(en.html.includes(`>${h}</th>`), h);
    assert.match(en.html, /New alerts \(1\)/);
    assert.match(zh.text, /^王主任，您好：\n/);
    assert.match(en.text, /^Dear 王主任,\n/);
    assert.match(zh.html, /^<!DOCTYPE html><html lang="zh-CN">/);
    assert.doesNotMatch(zh.html, /<style/);
  });

  const expected: [AlertRow, string[], string[]][] = [
    [enterprises, ['350家（2025）', '260家（2024Q4）', '40.0%', '50.0%', '90家', '滞后'], ['350 家 (2025)', '260 家 (2024Q4)', '40.0%', '50.0%', '90 家', 'lagging']],
    [
      output,
      ['2,000亿元（2025）', '1,234.57亿元（2025Q3）', '61.7%', '75.0%', '765.43亿元', '需加快'],
      ['2,000 亿元 (2025)', '1,234.57 亿元 (2025Q3)', '61.7%', '75.0%', '765.43 亿元', 'at risk'],
    ],
    [coverage, ['95%（2025）', '—', '数据逾期'], ['95% (2025)', '—', 'data overdue']],
  ];
  for (const [r, zhValues, enValues] of expected) {
    it(`shows ${r.code}: link, name, code and formatted numbers in html and text`, () => {
      const url = `${appUrl}/targets/${encodeURIComponent(r.code)}`;
      for (const [mail, values] of [[zh, zhValues], [en, enValues]] as const) {
        assert.ok(mail.html.includes(`<a href="${url}"`), `html link ${url}`);
        assert.ok(mail.text.includes(url), `text link ${url}`);
        for (const s of [r.name, r.code, ...values]) {
          assert.ok(mail.html.includes(s), `html has ${s}`);
          assert.ok(mail.text.includes(s), `text has ${s}`);
        }
      }
    });
  }

  it('marks support rows (配合), and only those', () => {
    assert.ok(zh.html.includes('智能网联新能源汽车年产值</a>（配合）'));
    assert.ok(zh.text.includes('智能网联新能源汽车年产值（配合） [NEV-OUTPUT]'));
    assert.ok(en.text.includes('智能网联新能源汽车年产值 (support) [NEV-OUTPUT]'));
    assert.equal(zh.html.split('（配合）').length, 2);
  });

  it('colours status cells: red flagged, amber at risk, grey overdue', () => {
    assert.match(zh.html, /color:#c62828">滞后</);
    assert.match(zh.html, /color:#b26a00">需加快</);
    assert.match(zh.html, /color:#6b7280">数据逾期</);
    const worse = renderDigest(digest({ fresh: [row('A', 'lagging', { status: 'missed' }), row('B', 'lagging', { status: 'deteriorating' })] }));
    assert.match(worse.html, /color:#c62828">未完成</);
    assert.match(worse.html, /color:#c62828">倒退</);
  });

  it('shows a resolved row with its current status and the alert it cleared', () => {
    const mail = renderDigest(digest({ resolved: [{ ...enterprises, status: 'achieved', early: true }] }));
    assert.match(mail.html, /已恢复（1）/);
    assert.match(mail.html, /color:#2e7d32">提前完成<br><span[^>]*>已解除：滞后<\/span>/);
    assert.ok(mail.text.includes('状态：提前完成（已解除：滞后）'));
  });

  it('says there is nothing when all lists are empty', () => {
    const mail = renderDigest(digest());
    assert.doesNotMatch(mail.html, /<table/);
    assert.ok(mail.html.includes('本期没有新增、持续或已恢复的预警。'));
    assert.ok(mail.text.includes('本期没有新增、持续或已恢复的预警。'));
    assert.ok(mail.text.includes(appUrl));
  });

  it('escapes every text value in the html, and keeps the text part plain', () => {
    const evil: AlertRow = { ...enterprises, code: 'X&<1>', name: '<script>alert(1)</script> & Co', unit: '<b>', targetPeriod: '2025' };
    const mail = renderDigest(digest({ recipientName: '<img src=x>', fresh: [evil], appUrl: 'https://a.example/?a=1&b=2' }));
    assert.doesNotMatch(mail.html, /<script|<b>|<img/);
    assert.ok(mail.html.includes('&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co'));
    assert.ok(mail.html.includes('X&amp;&lt;1&gt;'));
    assert.ok(mail.html.includes('350&lt;b&gt;（2025）'));
    assert.ok(mail.html.includes('&lt;img src=x&gt;'));
    assert.ok(mail.html.includes('href="https://a.example/?a=1&amp;b=2/targets/X%26%3C1%3E"'));
    assert.ok(mail.text.includes('<script>alert(1)</script> & Co'));
  });

  it('keeps the subject on one line', () => {
    const mail = renderBindingAlert({ lang: 'zh-CN', appUrl, tz, asOf, row: { ...enterprises, name: '数字化\r\n改造' } });
    assert.equal(mail.subject, '【目标监测】预警：约束性指标「数字化 改造」滞后');
  });

  it('puts a row’s chart right under that row, as <img src="cid:…">, in the html only', () => {
    const chart = { cid: 'chart-DT-ENTERPRISES@target-monitor', width: 480, height: 200 };
    const model = digest({ fresh: [{ ...enterprises, chart }], ongoing: [output] });
    for (const mail of [renderDigest(model), renderDigest({ ...model, lang: 'en' })]) {
      const rows = mail.html.split('<tr>').slice(1).map((r) => r.split('</tr>')[0]);
      const at = rows.findIndex((r) => r.includes('/targets/DT-ENTERPRISES"'));
      assert.ok(at >= 0);
      assert.match(rows[at + 1], /^<td colspan="7"[^>]*><img src="cid:chart-DT-ENTERPRISES@target-monitor" width="480" height="200" alt="数字化改造企业数[：:][^"]+"[^>]*><\/td>$/);
      assert.equal(mail.html.match(/<img /g)?.length, 1, 'no chart for the row without one');
      assert.ok(!mail.text.includes('cid:') && !mail.text.includes('<img'), 'the text part has no image');
    }
    const without = renderDigest(digest({ fresh: [enterprises], ongoing: [output] }));
    assert.doesNotMatch(without.html, /<img|cid:/);
    const evil = renderDigest(digest({ fresh: [{ ...enterprises, name: '"><script>x</script>', chart: { ...chart, cid: 'a"b' } }] }));
    assert.doesNotMatch(evil.html, /<script|cid:a"b/);
  });
});

describe('renderReminder', () => {
  const due = new Date('2025-10-21T00:00:00+08:00');
  const model: ReminderModel = {
    lang: 'zh-CN',
    appUrl,
    recipientName: '经济信息委',
    tz,
    rows: [
      { code: 'DT-ENTERPRISES', name: '数字化改造企业数', period: '2025Q3', due, overdueDays: -3, role: 'lead' },
      { code: 'NEV-OUTPUT', name: '智能网联新能源汽车年产值', period: '2025Q3', due, overdueDays: 12, role: 'support' },
    ],
  };

  it('counts the targets in the subject', () => {
    assert.equal(renderReminder(model).subject, '【目标监测】数据报送提醒：2项指标待报送');
    assert.equal(renderReminder({ ...model, lang: 'en' }).subject, '[Target monitor] Figures due: 2 targets');
    const one = { ...model, rows: model.rows.slice(0, 1) };
    assert.equal(renderReminder(one).subject, '【目标监测】数据报送提醒：1项指标待报送');
    assert.equal(renderReminder({ ...one, lang: 'en' }).subject, '[Target monitor] Figures due: 1 target');
  });

  it('lists each target with period, due date in tz, days left or overdue, and its link', () => {
    const zh = renderReminder(model);
    const en = renderReminder({ ...model, lang: 'en' });
    for (const mail of [zh, en]) {
      for (const r of model.rows) {
        const url = `${appUrl}/targets/${r.code}`;
        assert.ok(mail.html.includes(`<a href="${url}"`) && mail.text.includes(url), url);
        assert.ok(mail.html.includes(r.name) && mail.text.includes(r.name));
      }
      assert.ok(mail.html.includes('>2025Q3<') && mail.text.includes('2025Q3'));
      // due 2025-10-21T00:00+08:00 (Q3 end + 20 days): shown as the last day to report, 10-20
      assert.ok(mail.html.includes('>2025-10-20<') && mail.text.includes('2025-10-20'));
    }
    for (const s of ['还剩3天', '已逾期12天', '（配合）']) assert.ok(zh.html.includes(s) && zh.text.includes(s), s);
    for (const s of ['3 days left', 'overdue by 12 days', '(support)']) assert.ok(en.html.includes(s) && en.text.includes(s), s);
    assert.match(zh.html, /color:#c62828">已逾期12天</);
  });

  it('words one day and the due moment itself', () => {
    const at = (overdueDays: number, lang: 'zh-CN' | 'en') =>
      renderReminder({ ...model, lang, rows: [{ ...model.rows[0], overdueDays }] }).text;
    assert.ok(at(-1, 'zh-CN').includes('还剩1天'));
    assert.ok(at(-1, 'en').includes('1 day left'));
    assert.ok(at(1, 'en').includes('overdue by 1 day'));
    assert.ok(at(0, 'zh-CN').includes('已到期'));
    assert.ok(at(0, 'en').includes('due now'));
  });
});

describe('renderBindingAlert', () => {
  it('names the binding target and the alert kind in the subject', () => {
    const cases: [AlertRow, string, string][] = [
      [enterprises, '【目标监测】预警：约束性指标「数字化改造企业数」滞后', '[Target monitor] Alert: binding target "数字化改造企业数" lagging'],
      [output, '【目标监测】预警：约束性指标「智能网联新能源汽车年产值」需加快', '[Target monitor] Alert: binding target "智能网联新能源汽车年产值" at risk'],
    ];
    for (const [r, zh, en] of cases) {
      assert.equal(renderBindingAlert({ lang: 'zh-CN', appUrl, tz, asOf, row: r }).subject, zh);
      assert.equal(renderBindingAlert({ lang: 'en', appUrl, tz, asOf, row: r }).subject, en);
    }
  });

  it('shows the one row with its numbers and link', () => {
    const mail = renderBindingAlert({ lang: 'zh-CN', appUrl, tz, asOf, row: enterprises });
    const url = `${appUrl}/targets/DT-ENTERPRISES`;
    for (const s of [url, '350家（2025）', '260家（2024Q4）', '40.0%', '50.0%', '90家', '2025-11-29']) {
      assert.ok(mail.html.includes(s) && mail.text.includes(s), s);
    }
    assert.equal(mail.html.split('<tr>').length, 3);
  });
});
