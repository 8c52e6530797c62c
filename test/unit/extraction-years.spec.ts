/**
 * Years of undated texts and of target lists (issue 13): the document's year inferred from what a work
 * report says of its years, and the deadline a lead or heading (2018年…主要预期目标是：) gives the list
 * after it. Sentences are from the real corpus's dev half, as published, with their source address.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { extractTargets } from '../../src/extraction/extract.js';
import { documentYear, yearFromStatements } from '../../src/extraction/deadlines.js';
import { toSimplified } from '../../src/extraction/traditional.js';

const NOW = new Date('2026-12-05T00:00:00Z');
/** documentYear reads the text with traditional script folded, as extractTargets does */
const yearOf = (text: string) => documentYear(toSimplified(text), NOW);

describe('document year of an undated text', () => {
  const cases: [string, string, number][] = [
    [
      'a year reviewed with 初步预计全年 (https://mip.lcpkj.cn/article/852.html)',
      '根据“重庆发布”消息,2019年,重庆地区生产总值增速保持在合理区间,初步预计全年增长6.3%,人均地区生产总值突破1万美元。\n1月11日,重庆召开第五届人民代表大会第三次会议,重庆市人民政府市长唐良智作政府工作报告。',
      2020,
    ],
    [
      'a year reviewed with 取得 and the next year’s 增长目标为 (http://attbr.com/city/detail/id/5574.html)',
      '1月21日,广西壮族自治区第十三届人民代表大会第四次会议在南宁开幕,广西壮族自治区人民政府代主席蓝天立向大会作政府工作报告。上游新闻记者注意到,政府工作报告提出,2020年全区地区生产总值增长3.7%,2021年全区生产总值增长目标为7.5%以上。\n蓝天立说,2020年,广西工作取得扎实成效,实现“十三五”规划胜利收官。',
      2021,
    ],
    [
      '2018年…取得顯著成效 in traditional script (http://tp.hkcd.com/content_p/2019-02/19/content_70411.html)',
      '【香港商報網訊】2月19日,綿陽市涪城區第六屆人民代表大會第四次會議在綿陽市委黨校知行堂主會議廳隆重開幕。\n鄧輝在報告中說,2018年涪城全區經濟社會發展取得顯著成效。',
      2019,
    ],
    [
      'a lead 2018年…主要預期目標是 in a work report (https://big5.cri.cn/gate/big5/sn.cri.cn/n/20180126/ca1b8935-6ed6-f597-2ba0-c8ca45b89834.html)',
      '國際在線陜西頻道報道(張安琪):1月25日上午,陜西省第十三屆人民代表大會第一次會議隆重開幕,陜西省代省長劉國中代表省政府向大會作政府工作報告。\n報告中指出,2018年全省經濟社會發展主要預期目標是:生産總值增長8%左右。\n2018年,陝西將積極優化供給結構。',
      2018,
    ],
    [
      'the sessions’ year in a headline (http://m.ytbyz.com/ask/785723I1dDWWN80)',
      '2024全國地方兩會 | 貴州去年GDP增長4.9% 今年將推動數字經濟規模破萬億?\n1月24日上午,貴州省第十四屆人民代表大會第二次會議在貴陽開幕,省長李炳軍作政府工作報告。',
      2024,
    ],
    [
      'a digest’s 2020年湖南 / 交答卷! (https://android.icswb.com/h/104557/20210125/695847.html)',
      '快读!千字极简版湖南省政府工作报告来了\n  2020年湖南\n  交答卷!\n  经济增长\n  地区生产总值增长3.8%,总量突破4万亿元\n  2021年湖南\n  立flag!\n  主要预期目标',
      2021,
    ],
    [
      'an execution report of last year with this year’s draft plan (陕西省2025年计划执行情况与2026年计划草案)',
      '各位代表:\n受省人民政府委托,现将陕西省2025年国民经济和社会发展计划执行情况与2026年国民经济和社会发展计划草案提请会议审议。',
      2026,
    ],
  ];
  for (const [name, text, year] of cases) {
    it(name, () => assert.deepEqual(yearOf(text), { year, source: 'inferred' }));
  }

  it('a speech’s date under its title dates it (——2024年7月29日在市六届人大常委会第十次会议上)', () => {
    const text =
      '重庆市人民政府关于我市2024年1—6月国民经济和社会发展计划执行情况的报告\n重庆市人民政府\n关于我市2024年1—6月国民经济和\n社会发展计划执行情况的报告\n——2024年7月29日在市六届人大常委会第十次会议上\n市发展改革委副主任 朱江';
    assert.deepEqual(yearOf(text), { year: 2024, source: 'text' });
  });

  it('part of a year reported (2024年1—6月…计划执行情况) names no year reviewed', () => {
    assert.equal(yearFromStatements('我市2024年1—6月国民经济和社会发展计划执行情况的报告', NOW), null);
    assert.equal(yearFromStatements('2024年上半年计划执行情况良好', NOW), null);
  });

  it('a dateline wins over the years stated', () => {
    assert.deepEqual(yearOf('政府工作报告\n2025年1月17日\n2018年全区经济社会发展取得显著成效。'), { year: 2025, source: 'text' });
  });

  it('outside a work report a year with 目标 is no document year (a plan’s 2035年远景目标, 2025年主要目标是)', () => {
    assert.equal(yearFromStatements('明确了“十四五”时期的主要目标和2035年远景目标。2025年主要目标是:产值达到100亿元。', NOW), null);
    assert.deepEqual(yearOf('明确了2035年远景目标。'), { year: 2026, source: 'clock' });
  });

  it('in a work report 2035年远景目标 states no target year', () => {
    assert.equal(yearFromStatements('政府工作报告提出,到2025年…,2035年远景目标是基本实现现代化。', NOW), null);
  });

  it('a year reviewed and a year planned agree; on a tie the later year wins', () => {
    assert.equal(yearFromStatements('政府工作报告。2020年工作取得扎实成效。2021年主要预期目标是:增长6%。', NOW), 2021);
    assert.equal(yearFromStatements('政府工作报告。2022年工作取得扎实成效。2021年主要预期目标是:增长6%。', NOW), 2023);
  });

  it('a year compared with (较2020年, 比2019年) or reached by (到2025年) states nothing of the document', () => {
    assert.equal(yearFromStatements('政府工作报告。较2020年取得进展,到2025年主要目标是:增长6%。', NOW), null);
  });

  it('a year after the clock is not believed', () => {
    assert.equal(yearFromStatements('政府工作报告。2030年主要预期目标是:增长6%。', NOW), null);
  });
});
