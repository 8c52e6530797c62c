/**
 * Issue 13, kinds 3–7: ranks and indices, relative targets without a base value, numerals in words,
 * enumerations that are not targets, traditional script and gaps inside numbers. Sentences marked with a
 * source address are as published (stored copies searched for this suite); the others are the issue's
 * composed cases.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { extractTargets, type Candidate } from '../../src/extraction/extract.js';
import { scanShares } from '../../src/extraction/numerals.js';
import { isEnumerationCount } from '../../src/extraction/subject.js';
import { closeNumberGaps } from '../../src/extraction/text.js';
import { TRADITIONAL_COUNT, TRADITIONAL_TABLE, toSimplified } from '../../src/extraction/traditional.js';
import { reviewRows } from '../../src/web/document-review.js';

const run = (text: string, documentYear = 2024) => extractTargets(text, { documentYear });
const brief = (cs: Candidate[]) => cs.map((c) => [c.value, c.unit, c.comparator, c.deadline]);
const values = (cs: Candidate[]) => cs.map((c) => [c.value, c.unit]);

describe('ranks and indices', () => {
  // composed: the cases (no published sentence with a numbered rank target was found in the stored pages)
  const cases: [string, [number, string, string, string | null][]][] = [
    ['到2025年，数字经济发展指数达到160以上。', [[160, '指数', '>=', '2025']]],
    ['到2025年，全市工业景气指数保持在120点以上。', [[120, '点', '>=', '2025']]],
    ['力争到2027年，地区生产总值跃居全省前40位。', [[40, '位', '<=', '2027']]],
    ['到2025年，营商环境评价进入全市前3。', [[3, '位', '<=', '2025']]],
    ['力争到2026年，县域经济综合实力进入全国百强。', [[100, '位', '<=', '2026']]],
    ['2025年，全区综合考核保持全市第2位。', [[2, '位', '<=', '2025']]],
  ];
  for (const [text, expected] of cases) it(text, () => assert.deepEqual(brief(run(text)), expected));

  it('a rank names what is ranked', () => {
    const [c] = run('力争到2027年，地区生产总值跃居全省前40位。');
    assert.equal(c.subject, '地区生产总值排名');
    assert.equal(c.implicit, false);
    assert.ok(c.notes.some((n) => n.startsWith('名次目标')), c.notes.join());
  });

  const notTargets = [
    // https://www.ismx.cn/content-10-82041-1.html (reported rank, no number)
    '各项创新指标走在全省前列，进入国家创新型城市行列',
    // past: a rank reached
    '2023年，全区规上工业增加值增速居全市第1位。',
    // an ordinal is not a rank target
    '第3条 本办法自发布之日起施行。',
  ];
  for (const text of notTargets) it(`not a target: ${text}`, () => assert.deepEqual(brief(run(text)), []));
});

describe('relative targets without a base value', () => {
  it('在2022年的基础上实现“双倍增” (composed, the issue): kept with its base period, not dropped', () => {
    const [c, ...rest] = run('到2027年，规上工业企业数量和营业收入在2022年的基础上实现“双倍增”。');
    assert.equal(rest.length, 0);
    assert.deepEqual([c.value, c.unit, c.comparator, c.deadline, c.basePeriod], [2, '倍', '>=', '2027', '2022']);
    assert.deepEqual(c.relative, { kind: 'multiply', amount: 2, unit: '倍' });
    assert.equal(c.baseline, null);
    assert.ok(c.notes.some((n) => n.startsWith('相对目标：以2022年为基期双倍增')), c.notes.join());
    assert.ok(c.notes.some((n) => n.includes('拆分')), c.notes.join());
    assert.ok(c.quote.endsWith('“双倍增”'), c.quote);
  });

  it('比2020年翻一番 (https://reportify.cn/social-media/780743269550678)', () => {
    const cs = run('经济发展:提出国内生产总值增长保持在合理区间,为到2035年人均国内生产总值比2020年翻一番、达到中等发达国家水平打好基础', 2026);
    assert.deepEqual(
      cs.map((c) => [c.value, c.unit, c.deadline, c.basePeriod]),
      [[2, '倍', '2035', '2020']],
    );
  });

  it('较2020年增长30% (composed, the issue): the change, with its base period', () => {
    const [c] = run('到2025年，全区工业增加值较2020年增长30%。');
    assert.deepEqual([c.value, c.unit, c.basePeriod], [30, '%', '2020']);
    assert.ok(c.notes.some((n) => n.includes('基期值确定后目标值=基期值×(1+30%)')), c.notes.join());
  });

  it('單位GDP能耗較2017年下降10% (http://m.mkcnfr.com/c/2019-12-02/2478346.shtml)', () => {
    const cs = run('從生態環境領域看,到2025年,細顆粒物(PM2.5)平均濃度總體達標,地級及以上城市空氣質量優良天數比率達到80%以上,單位GDP能耗較2017年下降10%。', 2019);
    assert.deepEqual(brief(cs), [[80, '%', '>=', '2025'], [10, '%', '>=', '2025']]);
    assert.equal(cs[1].basePeriod, '2017');
    assert.deepEqual(cs[1].relative, { kind: 'decrease', amount: 10, unit: '%' });
  });

  it('a doubling of a total stated in the next sentence takes that total', () => {
    const cs = run('新能源领域有效发明专利数量实现翻番。截至去年底，全区新能源领域有效发明专利数量为1240件。', 2025);
    assert.deepEqual(values(cs), [[2480, '件']]);
    assert.deepEqual(cs[0].baseline, { period: '2024', value: 1240 });
  });

  it('a doubling of an earlier target: the target of the base year is the base', () => {
    const cs = run('到2025年，高新技术企业数量达到120家，科技型中小企业数量突破300家。\n\n到2030年，高新技术企业数量在2025年基础上再翻一番。', 2022);
    assert.deepEqual(values(cs), [[120, '家'], [300, '家'], [240, '家']]);
    assert.deepEqual(cs[2].baseline, { period: '2025', value: 120 });
  });

  it('“倍增”计划 is a plan’s name, not a target', () => {
    assert.deepEqual(run('为加快科技型企业培育，现就实施“倍增”计划通知如下：'), []);
  });

  it('the review row shows the base period and leaves its value to fill', () => {
    const [c] = run('到2027年，规上工业企业数量和营业收入在2022年的基础上实现“双倍增”。');
    const [row] = reviewRows([c], ['T-1']);
    assert.deepEqual([row.value, row.unit, row.baselinePeriod, row.baselineValue, row.create], ['2', '倍', '2022', '', false]);
    assert.match(row.remarks, /相对目标/);
  });
});

describe('numerals in words', () => {
  const cases: [string, [number, string][]][] = [
    // composed: the cases
    ['到2025年，全市规上工业总产值突破五千亿元。', [[5000, '亿元']]],
    ['到2027年，数字经济规模达到三千五百亿元。', [[3500, '亿元']]],
    ['到2030年，地区生产总值达到1.2万亿元。', [[1.2, '万亿元']]],
    ['到2025年，县域经济总量占全市比重提高两成。', [[20, '%']]],
    ['到2025年，新能源汽车销量占比达到三分之一以上。', [[33.333333333, '%']]],
    ['到2025年，农村生活污水治理率达到百分之八十五。', [[85, '%']]],
    ['到2025年，绿色建筑占新建建筑比例达到七成五。', [[75, '%']]],
    // http://m.ytbyz.com/ask/785723I1dDWWN80 (real corpus, dev half): 萬億元 with no number before it
    ['2024年,貴州將堅持以高質量發展統攬全局。貴州將推動數字經濟實現質的突破,數字經濟占比達到45%以上、規模突破萬億元。', [[45, '%'], [1, '万亿元']]],
    // https://news.hubeidaily.net/pc/z_654329.html (real corpus, dev half): a scale class at a clause end, on a line of its own
    ['到2027年,力争全省工业规模稳步提升至7万亿级,服务业规模提升至4万亿级\n\n到2030年,力争全省工业规模达到10万亿级,服务业规模达到5万亿级', [[7, '万亿元'], [4, '万亿元'], [10, '万亿元'], [5, '万亿元']]],
    // https://tw.news.yahoo.com/… 經部園管局創造3萬人就業 (2025-11-26)
    ['預估將新增產業產值逾一千億元、創造三萬個就業機會。', [[1000, '亿元'], [3, '万个']]],
  ];
  for (const [text, expected] of cases) it(text, () => assert.deepEqual(values(run(text)), expected));

  it('a share in words carries a note saying how it was read', () => {
    const [c] = run('到2025年，新能源汽车销量占比达到三分之一以上。');
    assert.equal(c.comparator, '>=');
    assert.ok(c.notes.some((n) => n.startsWith('“三分之一”按')), c.notes.join());
  });

  const words: [string, number[]][] = [
    ['百分之八十五', [85]], ['百分之12.5', [12.5]], ['三分之一', [33.333333333]], ['两成', [20]], ['三成五', [35]],
    ['一成不变', []], ['建成', []], ['十成', []], ['五分之六', []],
  ];
  for (const [s, v] of words) it(`${s} → ${JSON.stringify(v)}`, () => assert.deepEqual(scanShares(s).map((x) => x.value), v));
});

describe('enumerations are not targets', () => {
  const none = [
    // composed: the cases
    '到2025年，巩固提升装备制造、电子信息2个优势产业。',
    '到2025年，培育生物医药、新材料、新能源、数字经济 4个新兴产业。',
    // https://askci.com/news/chanye/20220301/1040101745582_2.shtml
    '围绕先进制造业“231”产业集群引进大项目、发展大产业、建设大基地，培育形成高端装备、高端化工2个千亿级产业集群，新一代信息技术500亿级产业集群，新材料产业、医药产业2个400亿级产业集群，新能源产业300亿级产业集群。',
    // http://m.yhgelaimei.com/shehui/2024/269777.html (traditional, with 等)
    '漢中將圍繞產業鏈,加快打造裝備製造、現代材料、文化旅遊、綠色能源、特色農業5個千億產業集群。',
    '重點打造航空裝備、工業母機、輸變電裝備、傳感器、電子元器件、汽車零部件配套等7條子產業鏈,努力建設裝備製造高質量發展先行區。',
  ];
  // http://attbr.com/city/detail/id/5574.html (real corpus, dev half): tasks counted by 方面 are no goal
  none.push('蓝天立表示,“十四五”时期是奋力建设壮美广西、共圆复兴梦想的关键时期,要重点抓好11个方面任务的落实:奋力打造面向东盟更好服务“一带一路”的开放合作高地,奋力打造国内国际双循环重要节点枢纽。');
  for (const text of none) it(`no target: ${text.slice(0, 40)}…`, () => assert.deepEqual(values(run(text)), []));

  // counts of programmes and slogans, and spans of years, from the dev half (source after each)
  const counted: [string, string, [number, string][], number?][] = [
    ['六大行动、十项工程 (https://wuhan.baogaosu.com/xinwen/…/109531278)', '到2024年底,我省将通过六大行动、十项工程,实现数字经济核心产业增加值达到5500亿元。', [[5500, '亿元']]],
    ['守好三条生命线, 着眼五年 (http://nx.people.com.cn/n2/2021/1228/c192493-35071683.html)', '今后五年政府工作的总体要求是:统筹发展和安全,坚决守好三条生命线,走出一条高质量发展新路子。\n要着眼五年、立足当前,着力推动经济稳定增长。2022年主要预期目标是:地区生产总值增长7%。', [[7, '%']], 2022],
    ['今后五年, 未来3年 (https://wuhan.baogaosu.com/xinwen/…/109531278)', '今后五年,湖北要打造全国数字经济发展高地。未来3年,我省实施六大行动。', []],
    ['实施15项重大工程, 4条高速公路 listed (http://zwcm.itez.com.cn/dnp/content/ZZX4V0RD06F61SYCEH)', '2025年,深入实施15项重大工程。加快推进300个省级重大项目建设。沈白高铁和京哈高速改扩建、本桓、凌绥、台黑4条高速公路提前建成通车。', [[300, '个']]],
    ['整体提升七个能力, 六个加快 (湖北日报, real/dev hubei-2025-zhidian-seven-strategies)', '到2027年,整体提升七个能力。六个加快:加快投资扩量提质。', []],
    ['生猪、苹果2个500亿级产业集群 (http://finance.dejiangwang.com/finance/2023/0420/49292.html)', '到2027年,打造10个百亿级产业大县,打造生猪、苹果2个500亿级产业集群,打造牛、羊、蔬菜、中药材4个千亿级产业集群。', [[10, '个']]],
    ['(一、二类) in a name (https://icbw.com.cn/thread-64618-1-322.html)', '到2020年,近岸海域水质优良(一、二类)比例达到70%左右。', [[70, '%']], 2016],
  ];
  for (const [name, text, expected, year] of counted) it(name, () => assert.deepEqual(values(run(text, year)), expected));

  const kept: [string, [number, string][]][] = [
    // https://askci.com/news/chanye/20220301/1040101745582_2.shtml
    ['到2025年，规模以上企业达到1100家，营业收入达到1500亿元。', [[1100, '家'], [1500, '亿元']]],
    ['到2025年，高新技术企业、科技型企业分别达到500家、3000家。', [[500, '家'], [3000, '家']]],
    // a count of qualified firms: nothing follows the unit
    ['到2025年，新培育国家级、省级专精特新企业2家。', [[2, '家']]],
    ['到2025年，新增省级以上重点实验室、工程技术研究中心2个以上。', [[2, '个']]],
  ];
  for (const [text, expected] of kept) it(`still a target: ${text}`, () => assert.deepEqual(values(run(text)), expected));

  const rule: [string, number, string, boolean][] = [
    ['巩固提升装备制造、电子信息', 2, '优势产业', true],
    ['培育新能源和智能网联汽车、高端装备', 2, '产业', true],
    ['培育A、B、C', 2, '产业', false],
    ['打造A、B、C等', 5, '产业集群', true],
    ['高新技术企业、科技型企业', 2, '以上', false],
    ['培育', 2, '优势产业', false],
  ];
  for (const [before, n, after, yes] of rule) {
    it(`${before}${n}个${after} → ${yes ? 'enumeration' : 'not one'}`, () => assert.equal(isEnumerationCount(before, n, after), yes));
  }
});

describe('reposts: traditional script', () => {
  it('the table maps one character to one, each different and unambiguous', () => {
    const { traditional, simplified } = TRADITIONAL_TABLE;
    assert.equal(traditional.length, simplified.length);
    assert.equal(new Set(traditional).size, traditional.length);
    assert.ok(TRADITIONAL_COUNT >= 300, String(TRADITIONAL_COUNT));
    for (let i = 0; i < traditional.length; i++) assert.notEqual(traditional[i], simplified[i]);
  });

  it('keeps the length, so offsets hold', () => {
    const t = '到2025年，營業收入達到5,000億元，計畫新增規上企業300家。';
    const s = toSimplified(t);
    assert.equal(s, '到2025年，营业收入达到5,000亿元，计划新增规上企业300家。');
    assert.equal(s.length, t.length);
  });

  // http://m.mkcnfr.com/c/2019-12-02/2478346.shtml
  const cases: [string, [number, string, string, string | null][]][] = [
    [
      '從科創產業領域看,到2025年,研發投入強度達到3%以上,科技進步貢獻率達到65%,高技術產業產值占規模以上工業總產值比重達到18%,科創產業融合發展體系基本建立。',
      [[3, '%', '>=', '2025'], [65, '%', '>=', '2025'], [18, '%', '>=', '2025']],
    ],
    [
      '從公共服務領域看,到2025年,人均公共財政支出達到2.1萬元,勞動年齡人口平均受教育年限達到11.5年,人均期望壽命達到79歲。',
      [[2.1, '万元', '>=', '2025'], [11.5, '年', '>=', '2025'], [79, '岁', '>=', '2025']],
    ],
  ];
  for (const [text, expected] of cases) it(text.slice(0, 30), () => assert.deepEqual(brief(run(text, 2019)), expected));

  it('subjects in simplified, quotes as written', () => {
    const [c] = run('到2025年,5G網絡覆蓋率達到80%。', 2019);
    assert.equal(c.subject, '5G网络覆盖率');
    assert.equal(c.quote, '5G網絡覆蓋率達到80%');
  });

  it('力拚經費達成率 95% 的目標 (https://news.cnyes.com/news/id/6244644)', () => {
    const cs = run('國發會主委葉俊顯強調，將力拚經費達成率 95% 的目標，要求各部會務必於年底前加強督導進度。', 2025);
    assert.deepEqual(values(cs), [[95, '%']]);
  });
});

describe('reposts: gaps inside numbers and units', () => {
  const gaps: [string, string][] = [
    ['新增企业3 5 0家以上', '新增企业  350家以上'],
    ['营业收入达到2\n000亿元。', '营业收入达到 2000亿元。'],
    ['达到2000亿 元', '达到 2000亿元'],
    ['达到2000\n亿元，', '达到 2000亿元，'],
    ['达到1.2万\n亿元', '达到 1.2万亿元'],
    ['全区规上企业达到 2,000 家以上', '全区规上企业达到  2,000家以上'],
    // left alone: cells of a flattened table, tab-separated cells, a year
    ['指标\n2022\n2027\n', '指标\n2022\n2027\n'],
    ['企业\n350\n家', '企业\n350\n家'],
    ['3\t5\t7家', '3\t5\t7家'],
    ['到2025年\n350家', '到2025年\n350家'],
    ['350 400家', '350 400家'],
    // one cell a line: a base value with decimals and the target under it (https://icbw.com.cn/thread-64618-1-322.html)
    ['地下水质量极差比例(%)\n15.74\n15左右', '地下水质量极差比例(%)\n15.74\n15左右'],
    ['地下水质量极差比例(%) 15.74\n15左右', '地下水质量极差比例(%) 15.74\n15左右'],
  ];
  for (const [input, output] of gaps) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(output)}`, () => {
      const closed = closeNumberGaps(input);
      assert.equal(closed, output);
      assert.equal(closed.length, input.length);
    });
  }

  const cases: [string, [number, string][]][] = [
    // composed: the cases
    ['到2025年，新增规上企业3 5 0家以上。', [[350, '家']]],
    ['到2025年，全区营业收入达到2\n000亿元。', [[2000, '亿元']]],
    ['到2025年，全区营业收入达到2000亿\n元，新增就业1.2万 人。', [[2000, '亿元'], [1.2, '万人']]],
  ];
  for (const [text, expected] of cases) {
    it(JSON.stringify(text), () => {
      const cs = run(text);
      assert.deepEqual(values(cs), expected);
      for (const c of cs) assert.equal(text.slice(c.start, c.end), c.quote);
    });
  }
});

describe('qualifiers, yearly commitments and ratios (dev half)', () => {
  const cases: [string, string, [number, string, string, string | null][]][] = [
    [
      '3歲以下 qualifies 嬰幼兒 (http://qutaogo.com/sjtt/2022/0110/70355.html)',
      '根據規劃,2025年我國每千人口擁有3歲以下嬰幼兒托位數4.5個。',
      [[4.5, '个', '>=', '2025']],
    ],
    [
      '二級以上醫院 qualifies, 每年降0.5%以上 is yearly (https://hk01.com/即時中國/772723/)',
      '到2025年,兒童青少年總體近視率每年降0.5%以上;二級以上醫院中健康促進醫院比例不低於50%。',
      [[0.5, '%', '>=', null], [50, '%', '>=', '2025']],
    ],
    [
      '整零比提高至1∶1 (https://www.oemao.com/news/show-25653.html)',
      '到2025年,产业规模突破1500亿元,产业整零比提高至1∶1。',
      [[1500, '亿元', '>', '2025'], [1, ':1', '>=', '2025']],
    ],
    [
      '三次产业结构2.8:50.9:46.3 is no ratio target (http://www.ptlc.gov.cn/zwgk/gzbg/jhbg/202304/t20230421_1814674.htm)',
      '三次产业结构调整为2.8:50.9:46.3。',
      [],
    ],
  ];
  for (const [name, text, expected] of cases) it(name, () => assert.deepEqual(brief(run(text)), expected));

  it('a yearly commitment says so in its notes', () => {
    const [c] = run('到2025年,兒童青少年總體近視率每年降0.5%以上。');
    assert.equal(c.deadline, null);
    assert.ok(c.notes.some((n) => n.includes('每年')), c.notes.join());
  });
});

describe('a doubling that restates a level, a list named as targets, a paragraph that details the one before (dev half)', () => {
  it('翻番，达到5500亿元 and its lead: one target, the level (https://wuhan.baogaosu.com/xinwen/…/109531278)', () => {
    const text =
      '湖北日报讯 9月13日,湖北数字经济强省三年行动计划正式印发。到2024年底,我省将通过六大行动、十项工程,实现数字经济核心产业增加值翻番,基本建成数字经济“四区一节点”。\n' +
      '规划对这一目标进行细化,提出到2024年底,我省数字经济核心产业增加值实现翻番,达到5500亿元,力争达到5800亿元。';
    const cs = run(text, 2022);
    assert.deepEqual(brief(cs), [[5500, '亿元', '>=', '2024'], [5800, '亿元', '>=', '2024']]);
    assert.equal(cs[0].subject, '我省数字经济核心产业增加值');
  });

  it('达到1.7万亿元,比2010年翻一番: the level only; a 倍增行动 is a programme (https://hbsztv.com/baiye/qyxw/2016/1115/692101.html)', () => {
    const cs = run('到2020年,河北规模以上工业增加值达到1.7万亿元,比2010年翻一番。实施核心产业倍增行动。', 2016);
    assert.deepEqual(brief(cs), [[1.7, '万亿元', '>=', '2020']]);
  });

  it('对…增长5%以上、…粮食产量500亿斤左右等…预期目标完成情况进行监测: each item a 2025 target, read on its own words (http://zwcm.itez.com.cn/dnp/content/ZZX4V0RD06F61SYCEH)', () => {
    const text =
      '2025年省《政府工作报告》重点工作分工方案(一)\n2025年是“十四五”规划的收官之年。\n' +
      '一、对地区生产总值增长5%以上、城镇新增就业47万人左右、城镇调查失业率5.5%左右、居民人均可支配收入增长与经济增长基本同步、粮食产量500亿斤左右等经济社会发展预期目标完成情况进行监测和督导。';
    const cs = extractTargets(text, { now: new Date('2026-12-05T00:00:00Z') });
    assert.deepEqual(brief(cs), [[5, '%', '>=', '2025'], [47, '万人', '>=', '2025'], [5.5, '%', '<=', '2025'], [500, '亿斤', '>=', '2025']]);
    assert.deepEqual(cs.map((c) => c.relative?.kind ?? null), ['increase', null, null, null]);
  });

  it('具体来看，… goes on with the paragraph before: 到2020年 and its plan (https://hbsztv.com/baiye/qyxw/2016/1115/692101.html)', () => {
    const text =
      '河北省工信厅新闻发言人表示,到2020年,河北规模以上工业增加值达到1.7万亿元。\n' +
      '具体来看,质量效益方面,河北省工业增加值率比2015年提高2个百分点,制造业质量竞争力指数达到82.5;绿色发展方面,固体废弃物综合利用率达到73%。';
    assert.deepEqual(brief(run(text, 2016)), [[1.7, '万亿元', '>=', '2020'], [2, '个百分点', '>=', '2020'], [82.5, '指数', '>=', '2020'], [73, '%', '>=', '2020']]);
  });

  it('a paragraph not marked as going on keeps its own reading', () => {
    const text = '到2020年,规模以上工业增加值达到1.7万亿元。\n全省固体废弃物综合利用率为73%。';
    assert.deepEqual(values(run(text, 2016)), [[1.7, '万亿元']]);
  });
});
