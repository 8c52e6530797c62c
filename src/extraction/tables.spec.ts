import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Candidate, extractTargets } from './extract.js';
import { parseValueCell } from './tables.js';

/**
 * Real tables, as published, in the three ways they arrive as text. Cells as the source gives them
 * (a repost's stray characters and footnote digits left out).
 */

// 国务院《“十三五”生态环境保护规划》（国发〔2016〕65号）专栏1 “十三五”生态环境保护主要指标, first rows,
// as reposted at https://icbw.com.cn/thread-64618-1-322.html (cells ending in `|`, the category cell on a
// group's first row only, one row with its 〔累计〕 cell left out by the repost).
const ECO_PIPES = [
  '专栏1 “十三五”生态环境保护主要指标',
  '指标 | 2015年 | 2020年 | 〔累计〕 | 属性 |',
  '生态环境质量 |',
  '1.空气质量 | 地级及以上城市空气质量优良天数比率(%) | 76.7 | >80 | - | 约束性 |',
  '细颗粒物未达标地级及以上城市浓度下降(%) | - | - | 〔18〕 | 约束性 |',
  '地级及以上城市重度及以上污染天数比例下降(%) | - | - | 〔25〕 | 预期性 |',
  '2.水环境质量 | 地表水质量达到或好于Ⅲ类水体比例(%) | 66 | >70 | - | 约束性 |',
  '地表水质量劣Ⅴ类水体比例(%) | 9.7 | <5 | - | 约束性 |',
  '重要江河湖泊水功能区水质达标率(%) | 70.8 | >80 | 预期性 |',
  '地下水质量极差比例(%) | 15.74 | 15左右 | - | 预期性 |',
  '近岸海域水质优良(一、二类)比例(%) | 70.5 | 70左右 | - | 预期性 |',
].join('\n');

/** The same rows as the converters write a Word or HTML table: one row a line, tab-separated, a blank line around. */
const ECO_TABS = [
  '专栏1 “十三五”生态环境保护主要指标',
  '',
  '指标\t\t2015年\t2020年\t〔累计〕\t属性',
  '生态环境质量\t\t\t\t\t',
  '1.空气质量\t地级及以上城市空气质量优良天数比率（%）\t76.7\t＞80\t-\t约束性',
  '\t细颗粒物未达标地级及以上城市浓度下降（%）\t-\t-\t〔18〕\t约束性',
  '\t地级及以上城市重度及以上污染天数比例下降（%）\t-\t-\t〔25〕\t预期性',
  '2.水环境质量\t地表水质量达到或好于Ⅲ类水体比例（%）\t66\t＞70\t-\t约束性',
  '\t地表水质量劣Ⅴ类水体比例（%）\t9.7\t＜5\t-\t约束性',
  '\t重要江河湖泊水功能区水质达标率（%）\t70.8\t＞80\t-\t预期性',
  '\t地下水质量极差比例（%）\t15.74\t15左右\t-\t预期性',
  '\t近岸海域水质优良（一、二类）比例（%）\t70.5\t70左右\t-\t预期性',
  '',
  '生态环境质量总体改善。',
].join('\n');

/** And one cell a line, as text copied out of a PDF often is. */
const ECO_CELLS = [
  '专栏1 “十三五”生态环境保护主要指标',
  '指标', '2015年', '2020年', '〔累计〕', '属性',
  '空气质量', '地级及以上城市空气质量优良天数比率(%)', '76.7', '>80', '-', '约束性',
  '细颗粒物未达标地级及以上城市浓度下降(%)', '-', '-', '〔18〕', '约束性',
  '地级及以上城市重度及以上污染天数比例下降(%)', '-', '-', '〔25〕', '预期性',
  '水环境质量', '地表水质量达到或好于Ⅲ类水体比例(%)', '66', '>70', '-', '约束性',
  '地表水质量劣Ⅴ类水体比例(%)', '9.7', '<5', '-', '约束性',
  '重要江河湖泊水功能区水质达标率(%)', '70.8', '>80', '-', '预期性',
  '地下水质量极差比例(%)', '15.74', '15左右', '-', '预期性',
  '近岸海域水质优良(一、二类)比例(%)', '70.5', '70左右', '-', '预期性',
].join('\n');

type Row = [subject: string, value: number, comparator: string, baseline: number | null, binding: boolean];
const ECO_ROWS: Row[] = [
  ['地级及以上城市空气质量优良天数比率', 80, '>', 76.7, true],
  ['细颗粒物未达标地级及以上城市浓度下降', 18, '>=', null, true],
  ['地级及以上城市重度及以上污染天数比例下降', 25, '>=', null, false],
  ['地表水质量达到或好于Ⅲ类水体比例', 70, '>', 66, true],
  ['地表水质量劣Ⅴ类水体比例', 5, '<', 9.7, true],
  ['重要江河湖泊水功能区水质达标率', 80, '>', 70.8, false],
  ['地下水质量极差比例', 15, '<=', 15.74, false],
  ['近岸海域水质优良(一、二类)比例', 70, '>=', 70.5, false],
];

const rowsOf = (cs: Candidate[]) => cs.filter((c) => c.table).map((c): Row => [c.subject.replace(/（/g, '(').replace(/）/g, ')'), c.value, c.comparator, c.baseline?.value ?? null, c.binding === true]);

describe('indicator tables', () => {
  for (const [form, text] of [['cells ending in |', ECO_PIPES], ['tab-separated rows', ECO_TABS], ['one cell a line', ECO_CELLS]] as const) {
    it(`十三五生态环境保护规划 专栏1 (${form}): each row a target with its baseline, 约束性 binding`, () => {
      const cs = extractTargets(text, { documentYear: 2016 });
      assert.deepEqual(rowsOf(cs), ECO_ROWS);
      for (const c of cs) {
        assert.ok(c.table, `only table rows: ${c.quote}`);
        assert.equal(c.unit, '%');
        assert.equal(c.deadline, '2020');
        if (c.baseline) assert.equal(c.baseline.period, '2015');
        assert.equal(text.slice(c.start, c.end), c.quote);
      }
    });
  }

  it('a table reposted in traditional script: names in simplified, the quote as written', () => {
    const text = ['指標\t\t2015年\t2020年\t〔累計〕\t屬性', '1.空氣質量\t地級及以上城市空氣質量優良天數比率（%）\t76.7\t＞80\t-\t約束性', ''].join('\n');
    const [c] = extractTargets(text, { documentYear: 2016 });
    assert.deepEqual([c.subject, c.value, c.unit, c.binding, c.baseline], ['地级及以上城市空气质量优良天数比率', 80, '%', true, { period: '2015', value: 76.7 }]);
    assert.equal(c.quote, '1.空氣質量\t地級及以上城市空氣質量優良天數比率（%）\t76.7\t＞80\t-\t約束性');
  });

  it('a tab row is quoted whole, from its first filled cell, so the review can highlight it', () => {
    const c = extractTargets(ECO_TABS, { documentYear: 2016 }).find((x) => x.value === 5)!;
    assert.equal(c.quote, '地表水质量劣Ⅴ类水体比例（%）\t9.7\t＜5\t-\t约束性');
    assert.equal(c.table?.row, 6);
  });

  // Composed (no real table with a 责任单位 column was found among the stored pages): header words as
  // action plans write them, a unit column, `/` for a missing base, a 其中： sub-row, words for a target.
  it('责任单位 proposes the lead department; 其中 rows name their parent; words are no target', () => {
    const text = [
      '附件 主要指标表', '',
      '类别\t指标\t单位\t2022年（基期）\t2027年（目标）\t属性\t责任单位',
      '创新\t高新技术企业数\t家\t/\t≥ 120\t预期性\t区科技局、区统计局',
      '\t其中：瞪羚企业\t家\t\t＞50\t预期性\t区科技局',
      '\t研发经费投入强度\t%\t2.1\t持续提升\t预期性\t区科技局',
      '绿色\t单位地区生产总值能耗降低\t%\t—\t—\t约束性\t区发展改革委',
      '\t新增绿色建筑面积\t万平方米\t12\t2000以上\t约束性\t区住房城乡建设委',
      '',
    ].join('\n');
    const cs = extractTargets(text, { documentYear: 2023 });
    assert.deepEqual(cs.map((c) => [c.subject, c.value, c.unit, c.comparator, c.deadline, c.baseline, c.binding, c.department]), [
      ['高新技术企业数', 120, '家', '>=', '2027', null, false, '区科技局'],
      ['高新技术企业数：瞪羚企业', 50, '家', '>', '2027', null, false, '区科技局'],
      ['新增绿色建筑面积', 2000, '万平方米', '>=', '2027', { period: '2022', value: 12 }, true, '区住房城乡建设委'],
    ]);
  });
});

describe('indicator tables as real pages flatten them', () => {
  const rowsOf = (text: string) =>
    extractTargets(text)
      .filter((c) => c.table)
      .map((c) => [c.subject, c.value, c.unit, c.comparator, c.deadline, c.baseline?.value ?? null]);

  // http://zxyzs.com/sichuan/zcsd/2016/36258.html (旌阳区2016年度经济社会发展目标任务分解表), first rows as stored.
  const JINGYANG = [
    '旌阳区2016年度经济社会发展目标任务分解表',
    '项 目', '分值', '目标任务', '监考单位',
    '宏观调控',
    '地区生产总值增长率', '3', '年终根据全省平均水平综合考核', '区发改局区统计局',
    '社会消费品零售总额增长率', '3',
    '地方公共财政收入增长率', '3', '年终根据全省平均水平综合考核', '区财政局',
    '税收占地方公共财政收入的比重及变化率', '2',
    '全社会固定资产投资额', '3', '186', '区发改委区统计局',
    '完成重点项目年度投资计划', '2', '18.4',
    '建筑业总产值', '1', '140', '区住建局',
    '城镇登记失业率', '1', '低于 4.1',
    '',
  ].join('\n');

  it('http://zxyzs.com/sichuan/zcsd/2016/36258.html: 分值 is a weight, merged cells written once leave short rows, the title gives the year', () => {
    assert.deepEqual(rowsOf(JINGYANG), [
      ['全社会固定资产投资额', 186, '', '>=', '2016', null],
      ['完成重点项目年度投资计划', 18.4, '', '>=', '2016', null],
      ['建筑业总产值', 140, '', '>=', '2016', null],
      ['城镇登记失业率', 4.1, '', '<', '2016', null],
    ]);
    const invest = extractTargets(JINGYANG).find((c) => c.value === 186)!;
    assert.equal(invest.department, '区发改委', 'the first of 区发改委区统计局, run together');
    assert.equal(JINGYANG.slice(invest.start, invest.end), '全社会固定资产投资额\n3\n186\n区发改委区统计局');
  });

  it('http://zxyzs.com/sichuan/zcsd/2016/36258.html: a 监考单位 cell merged over the rows below it is carried down to them', () => {
    const byValue = new Map(extractTargets(JINGYANG).filter((c) => c.table).map((c) => [c.value, c]));
    assert.equal(byValue.get(18.4)!.department, '区发改委', '完成重点项目年度投资计划 shares 全社会固定资产投资额’s cell');
    assert.ok(byValue.get(18.4)!.notes.some((n) => n.includes('沿用上一行')), byValue.get(18.4)!.notes.join());
    assert.equal(byValue.get(140)!.department, '区住建局', 'a row with its own cell keeps it');
  });

  // http://yiyang.gov.cn/yiyang/2/134/14114/37599/index.htm: 《乡村振兴战略规划（2018—2022年）》's indicators on a city
  // site, transposed: names across, then the 2022 targets across, then 属性; the label cell alone on its line.
  const RURAL = [
    '主 要 指 标 |',
    '粮食综合生产能力 | 农业科技进步贡献率 | 农业劳动生产率 | 农产品加工产值与农业产值比 | 休闲农业与乡村旅游接待人数 |',
    '2022 年 目 标 值 |',
    '>6亿吨 | 61.5% | 5.5万元/人 | 2.5 | 32亿人次 |',
    '属 性 | 约束性 | 预期性 | 预期性 | 预期性 | 预期性 |',
    '主 要 指 标 |',
    '农村居民恩格尔系数 | 城乡居民收入比 | 农村自来水普及率 | 具备条件的建制村通硬化公路的比例 |',
    '2022 年 目 标 值 |',
    '29.2% | 2.67 | 85% | >100% |',
  ].join('\n');

  it('http://yiyang.gov.cn/yiyang/2/134/14114/37599/index.htm: a transposed table, each column a target quoted at its cell', () => {
    const cs = extractTargets(RURAL).filter((c) => c.table);
    assert.deepEqual(
      cs.map((c) => [c.subject, c.value, c.unit, c.comparator, c.deadline, c.binding]),
      [
        ['粮食综合生产能力', 6, '亿吨', '>', '2022', true],
        ['农业科技进步贡献率', 61.5, '%', '>=', '2022', false],
        ['农业劳动生产率', 5.5, '万元/人', '>=', '2022', false],
        ['农产品加工产值与农业产值比', 2.5, '', '>=', '2022', false],
        ['休闲农业与乡村旅游接待人数', 32, '亿人次', '>=', '2022', false],
        ['农村居民恩格尔系数', 29.2, '%', '<=', '2022', false],
        ['城乡居民收入比', 2.67, '', '<=', '2022', false],
        ['农村自来水普及率', 85, '%', '>=', '2022', false],
        ['具备条件的建制村通硬化公路的比例', 100, '%', '>', '2022', false],
      ],
    );
    for (const c of cs) assert.equal(RURAL.slice(c.start, c.end), c.quote);
    assert.equal(cs[0].quote, '>6亿吨');
    assert.equal(extractTargets(RURAL).length, cs.length, 'the sentence rules leave the table to the table reader');
  });

  it('a transposed table with a base row: the base values are the baselines', () => {
    const text = ['指标 | 森林覆盖率(%) | 森林蓄积量(万立方米)', '2020年 | 45.31 | 4606.24', '2025年 | 46.3 | 5000', '属性 | 约束性 | 约束性'].join('\n');
    assert.deepEqual(
      extractTargets(text).map((c) => [c.subject, c.value, c.unit, c.deadline, c.baseline, c.binding]),
      [
        ['森林覆盖率', 46.3, '%', '2025', { period: '2020', value: 45.31 }, true],
        ['森林蓄积量', 5000, '万立方米', '2025', { period: '2020', value: 4606.24 }, true],
      ],
    );
  });

  // LibreOffice's .txt of test/fixtures/extraction/files/policy.html: one cell a line, the blank base cell an empty line.
  it('one cell a line with a blank base cell written as an empty line: the row keeps its target', () => {
    const text = ['二、主要指标', '指标', '单位', '2022年', '2025年', '属性', '研发经费投入强度', '%', '2.1', '3.0', '预期性', '新增规模以上工业企业', '家', '', '120', '预期性', ''].join('\n');
    assert.deepEqual(
      extractTargets(text).filter((c) => c.table).map((c) => [c.value, c.unit, c.deadline, c.baseline?.value ?? null]),
      [
        [3, '%', '2025', 2.1],
        [120, '家', '2025', null],
      ],
    );
  });

  // https://chujuan.cn/question/detail-51829525.shtml: 国务院《“十四五”推进农业农村现代化规划》's table, quoted in an exam question.
  it('https://chujuan.cn/question/detail-51829525.shtml: header cells with glosses in brackets, 一 for a missing value, names broken by a space', () => {
    const text = [
      '指标 |',
      '2020年基期值(起始日期用作比较的数据) |',
      '2025年目标值(各项目标应达到的水平) |',
      '年均增(5年累计) |',
      '粮食综合生产能力(亿吨) |', '一 |', '>6.5 |', '一 |',
      '农业科技进步贡献率(%) |', '60 |', '64 |', '[4] |',
      '农产品质量安全例行监测合格 率(%) |', '97.8 |', '98 |', '[0.2] |',
      '',
    ].join('\n');
    assert.deepEqual(rowsOf(text), [
      ['粮食综合生产能力', 6.5, '亿吨', '>', '2025', null],
      ['农业科技进步贡献率', 64, '%', '>=', '2025', 60],
      ['农产品质量安全例行监测合格率', 98, '%', '>=', '2025', 97.8],
    ]);
  });

  // http://takinupcharters.com/article-40817-53876.html: 全国农业现代化规划（2016—2020年）专栏1, reposted in 繁體 with pinyin debris.
  it('http://takinupcharters.com/article-40817-53876.html: pinyin debris, header cells broken over two lines, blank lines between cells', () => {
    const text = [
      '    專欄1 “十三五”農(nóng)業(yè)現(xiàn)代化主要指標(biāo)', '',
      '    類別', '', '    指  標(biāo)', '', '    2015', '    基期值', '', '    2020', '    目標(biāo)值', '',
      '    年均增速', '    〔累計〕', '', '    指標(biāo)屬性', '',
      '    糧食供給保障', '', '    糧食(穀物)綜合生產(chǎn)能力(億噸)', '', '    5', '', '    5.5', '', '    0.5', '', '    約束性', '',
      '    小麥稻谷自給率(%', '', '    100', '', '    100', '', '    -', '', '    約束性', '',
    ].join('\n');
    const cs = extractTargets(text).filter((c) => c.table);
    assert.deepEqual(
      cs.map((c) => [c.value, c.unit, c.deadline, c.baseline, c.binding]),
      [
        [5.5, '亿吨', '2020', { period: '2015', value: 5 }, true],
        [100, '%', '2020', { period: '2015', value: 100 }, true],
      ],
    );
    assert.ok(!/[āáǎàēéěèīíǐìōóǒòūúǔù]/.test(cs[0].subject), cs[0].subject);
  });
});

describe('parseValueCell', () => {
  const cases: [string, ReturnType<typeof parseValueCell>][] = [
    ['≥ 90%', { value: 90, comparator: '>=', unit: '%', cumulative: false, approximate: false }],
    ['＞50', { value: 50, comparator: '>', unit: '', cumulative: false, approximate: false }],
    ['2000以上', { value: 2000, comparator: '>=', unit: '', cumulative: false, approximate: false }],
    ['15左右', { value: 15, comparator: '>=', unit: '', cumulative: false, approximate: true }],
    ['〔18〕', { value: 18, comparator: '>=', unit: '', cumulative: true, approximate: false }],
    ['1.2万', { value: 1.2, comparator: '>=', unit: '万', cumulative: false, approximate: false }],
    ['<5', { value: 5, comparator: '<', unit: '', cumulative: false, approximate: false }],
    ['低于 4.1', { value: 4.1, comparator: '<', unit: '', cumulative: false, approximate: false }],
    ['持续提升', null], ['—', null], ['/', null], ['', null], ['3年持续提升', null],
  ];
  for (const [cell, want] of cases) it(`${JSON.stringify(cell)}`, () => assert.deepEqual(parseValueCell(cell), want));
});
