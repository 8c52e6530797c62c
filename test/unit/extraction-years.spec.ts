/**
 * Years of undated texts and of target lists (issue 13): the document's year inferred from what a work
 * report says of its years, and the deadline a lead or heading (2018年…主要预期目标是：) gives the list
 * after it. Sentences are from the real corpus's dev half, as published, with their source address.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { extractTargets } from '../../src/extraction/extract.js';
import { deadlineIn, documentYear, yearFromStatements } from '../../src/extraction/deadlines.js';
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
    [
      'the year ahead: 2025年是“十四五”规划的收官之年 (http://zwcm.itez.com.cn/dnp/content/ZZX4V0RD06F61SYCEH)',
      '2025年省《政府工作报告》重点工作分工方案(一)\n2025年是“十四五”规划的收官之年,是全面振兴新突破三年行动的决胜之年。',
      2025,
    ],
  ];
  for (const [name, text, year] of cases) {
    it(name, () => assert.deepEqual(yearOf(text), { year, source: 'inferred' }));
  }

  it('a year reviewed as 极不平凡的一年 is no year ahead', () => {
    assert.notEqual(yearFromStatements('2022年是极不寻常、极不平凡的一年,取得了来之不易的发展成绩。', NOW), 2022);
  });

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

/** value unit and deadline of each candidate, the document's year left to the text (clock: NOW) */
const found = (text: string) => extractTargets(text, { now: NOW }).map((c) => `${c.value}${c.unit} ${c.deadline}`);

describe('targets of undated work reports and their digests', () => {
  const cases: [string, string, string[]][] = [
    [
      '预计 after a year reviewed estimates its result; the targets take the document year 2020 (https://mip.lcpkj.cn/article/852.html)',
      '根据“重庆发布”消息,2019年,重庆地区生产总值增速保持在合理区间,初步预计全年增长6.3%,人均地区生产总值突破1万美元。\n' +
        '1月11日,重庆召开第五届人民代表大会第三次会议,重庆市人民政府市长唐良智作政府工作报告。会议提到,2019年,重庆工业经济逐步回暖,规上工业增加值增长6.1%以上。服务业支撑力增强,服务业增加值增长6.1%左右。物价形势总体稳定,居民消费价格涨幅控制在3%以内。\n' +
        '2019年,重庆深化与78家央企合作,工业投资增长7%以上,全市固定资产投资增长6%左右。日均新增市场主体超过1200户。城乡居民人均可支配收入预计分别增长8.6%、9.7%。城镇新增就业75万人,城镇调查失业率在5%左右。全市贫困发生率降至0.12%。\n' +
        '会议提到,预计重庆去年新增社会融资规模5100亿元,中长期贷款余额增长15%。全市进出口总值增长10%左右。外商投资主体增至6000余户。\n' +
        '对于今年政府工作要求,会议提出,2020年重庆地区生产总值增长6%,固定资产投资增长6%左右,社会消费品零售总额增长7.5%左右,进出口稳中提质,城镇新增就业60万人以上,城镇调查失业率5.5%左右,居民消费价格涨幅3.5%左右,居民收入增长与经济增长基本同步。',
      ['6% 2020', '6% 2020', '7.5% 2020', '60万人 2020', '5.5% 2020', '3.5% 2020'],
    ],
    [
      '預計 after 將 in the year of the sessions stays a plan (http://m.ytbyz.com/ask/785723I1dDWWN80)',
      '2024全國地方兩會 | 貴州去年GDP增長4.9% 今年將推動數字經濟規模破萬億?\n' +
        '1月24日上午,貴州省第十四屆人民代表大會第二次會議在貴陽開幕,省長李炳軍作政府工作報告。\n' +
        '上游新聞記者注意到,2023年貴州省地區生產總值增長4.9%,規模以上工業增加值增長5.9%。\n' +
        '2024年,貴州將堅持以高質量發展統攬全局,守好發展和生態兩條底線,預計全省地區生產總值增長5.5%左右。貴州將推動數字經濟實現質的突破,數字經濟占比達到45%以上、規模突破萬億元。\n' +
        '報告指出,2023年貴州省經濟持續回升向好,全年地區生產總值增長4.9%,一般公共預算收入、一般公共預算支出分別突破2000億元、6000億元,城鎮和農村常住居民人均可支配收入分別增長4.1%、8.1%。',
      ['5.5% 2024', '45% 2024', '1万亿元 2024'],
    ],
    [
      'the list after 今年…主要预期目标是 takes the year of the report, 2021 (http://attbr.com/city/detail/id/5574.html)',
      '1月21日,广西壮族自治区第十三届人民代表大会第四次会议在南宁开幕,广西壮族自治区人民政府代主席蓝天立向大会作政府工作报告。\n' +
        '蓝天立说,2020年,广西工作取得扎实成效,实现“十三五”规划胜利收官。\n' +
        '蓝天立指出,今年广西全区经济社会发展的主要预期目标是:地区生产总值增长7.5%以上,规模以上工业增加值增长8%以上,财政收入增长5%左右,固定资产投资增长15%以上,社会消费品零售总额增长12%以上,进出口总额增长7%以上,完成国家下达的节能减排降碳目标,',
      ['7.5% 2021', '8% 2021', '5% 2021', '15% 2021', '12% 2021', '7% 2021'],
    ],
    [
      '2019年經濟社會發展主要預期目標 after 2018年…取得顯著成效 (http://tp.hkcd.com/content_p/2019-02/19/content_70411.html)',
      '鄧輝在報告中說,2018年涪城全區經濟社會發展取得顯著成效。區屬地區生產總值達到379.95億元、增長9.3%;規模以上工業增加值增長11.5%。\n' +
        '鄧輝在報告中提出了2019年經濟社會發展主要預期目標:區屬地區生產總值增長9%,全社會固定資產投資增長18%,城鎮登記失業率控制在4%以內,全面完成省市下達的各項目標任務。',
      ['9% 2019', '18% 2019', '4% 2019'],
    ],
    [
      '2018年…主要預期目標是, 今年 = 2018, 圍繞2021年…目標 (https://big5.cri.cn/gate/big5/sn.cri.cn/n/20180126/ca1b8935-6ed6-f597-2ba0-c8ca45b89834.html)',
      '國際在線陜西頻道報道(張安琪):1月25日上午,陜西省第十三屆人民代表大會第一次會議隆重開幕,陜西省代省長劉國中代表省政府向大會作政府工作報告。\n' +
        '報告中指出,2018年全省經濟社會發展主要預期目標是:生産總值增長8%左右,城鎮登記失業率控制在4%以內,研發投入佔比達到2.4%,單位GDP能耗下降2.8%。\n' +
        '圍繞2021年産能達到30萬輛目標,大力發展汽車産業,加快建設全國重要汽車産業基地和出口基地,今年整車産量達到70 萬輛。',
      ['8% 2018', '4% 2018', '2.4% 2018', '2.8% 2018', '30万辆 2021', '70万辆 2018'],
    ],
  ];
  for (const [name, text, expected] of cases) it(name, () => assert.deepEqual(found(text), expected));
});

describe('a lead or heading that names the year of its targets', () => {
  const cases: [string, string, string[]][] = [
    [
      '2018年…主要預期目標是: gives its list 2018 even where the text gives no document year (https://big5.cri.cn/gate/big5/sn.cri.cn/n/20180126/ca1b8935-6ed6-f597-2ba0-c8ca45b89834.html)',
      '報告中指出,2018年全省經濟社會發展主要預期目標是:生産總值增長8%左右,規模以上工業增加值增長7.5%左右,城鎮登記失業率控制在4%以內。',
      ['8% 2018', '7.5% 2018', '4% 2018'],
    ],
    [
      '2024年，…主要预期目标是: with 亿斤 (http://sc.people.com.cn/n2/2024/0122/c345167-40722143.html)',
      '2024年,四川省经济社会发展主要预期目标是:地区生产总值增长6%左右;城镇新增就业85万人,城镇调查失业率5.5%左右;居民消费价格涨幅3%左右;地方一般公共预算收入、居民收入增长和经济增长基本同步;粮食产量保持在715亿斤以上;完成国家下达的节能减排和环境保护等任务。',
      ['6% 2024', '85万人 2024', '5.5% 2024', '3% 2024', '715亿斤 2024'],
    ],
    [
      '■ 2025年…主要预期目标 heads bullet lines; the bullets under ■ 2024年成绩单 are results (https://cjrb.cjn.cn/h5/html5/2025-01/17/content_151731_1763949.htm)',
      '政府工作报告摘要与导读\n\n长江日报 2025年01月17日\n\n    ■ 2024年成绩单\n\n    ●预计全省地区生产总值增长6%左右\n\n' +
        '    ●增速在经济大省和中部地区保持领先\n\n    ●粮食总产达到557亿斤\n\n    ●10大类52项民生实事全部超额完成\n\n' +
        '    ■ 2025年经济社会发展的主要预期目标\n\n    ●经济增长6%左右\n\n    ●城镇调查失业率5.5%左右,城镇新增就业70万人以上\n\n' +
        '    ●居民消费价格涨幅2%左右\n\n    ●居民收入增长与经济增长同步\n\n    ●粮食产量继续保持500亿斤以上',
      ['6% 2025', '5.5% 2025', '70万人 2025', '2% 2025', '500亿斤 2025'],
    ],
    [
      'a digest: 主要预期目标 under 2021年湖南 takes 2021; the lines under 2020年湖南 report (https://android.icswb.com/h/104557/20210125/695847.html)',
      '快读!千字极简版湖南省政府工作报告来了\n  湖南省政府工作报告\n  要点都在这里了!\n  2020年湖南\n  交答卷!\n  经济增长\n' +
        '  地区生产总值增长3.8%,总量突破4万亿元\n  规模工业增加值增长4.8%\n  做好“六稳”“六保”\n  粮食总产稳定在600亿斤左右\n  高速公路通车里程新增149公里\n' +
        '  提高政府治理效率\n  企业群众办事时间平均缩减80%以上\n  2021年湖南\n  立flag!\n  主要预期目标\n' +
        '  地区生产总值增长7%以上\n  地方一般公共预算收入增长4%以上\n  城镇新增就业70万人\n  居民消费价格涨幅控制在3%左右',
      ['7% 2021', '4% 2021', '70万人 2021', '3% 2021'],
    ],
    [
      'a target on a line of its own under 阶段目标 (https://news.hubeidaily.net/pc/z_654329.html)',
      '湖北日报 2025-05-06 19:23:38\n\n【能级跨越战略】\n\n阶段目标:\n\n到2027年全省经济总量突破7万亿元\n\n到2030年经济总量达到9万亿元左右\n\n六个加快:\n\n加快投资扩量提质,打造高标准供给体系',
      ['7万亿元 2027', '9万亿元 2030'],
    ],
  ];
  for (const [name, text, expected] of cases) it(name, () => assert.deepEqual(found(text), expected));

  it('a heading with a year and 目标 states that year, whatever the document year', () => {
    assert.equal(deadlineIn('■ 2025年经济社会发展的主要预期目标', { year: 2026, source: 'clock' }), 2025);
    assert.equal(deadlineIn('关于2024年国民经济和社会发展计划执行情况与2025年计划草案的报告', { year: 2025, source: 'text' }), 2025);
    assert.equal(deadlineIn('2024年目标任务完成情况', { year: 2025, source: 'text' }), null);
  });

  it('a year whose 目标 were met is reviewed, not planned (2020年主要预期目标顺利完成)', () => {
    assert.deepEqual(found('政府工作报告\n2021年1月20日\n2020年主要预期目标顺利完成,地区生产总值增长3.8%以上。'), []);
  });
});

describe('a target restated is proposed once, where the list states it', () => {
  it('a lead’s 2021年全区生产总值增长目标为7.5%以上 before the list (http://attbr.com/city/detail/id/5574.html)', () => {
    const text =
      '1月21日,广西壮族自治区第十三届人民代表大会第四次会议在南宁开幕,广西壮族自治区人民政府代主席蓝天立向大会作政府工作报告。上游新闻记者注意到,政府工作报告提出,2020年全区地区生产总值增长3.7%,2021年全区生产总值增长目标为7.5%以上。\n' +
      '蓝天立指出,今年广西全区经济社会发展的主要预期目标是:地区生产总值增长7.5%以上,规模以上工业增加值增长8%以上,财政收入增长5%左右。';
    const cs = extractTargets(text, { now: NOW });
    assert.deepEqual(cs.map((c) => `${c.value}${c.unit} ${c.deadline}`), ['7.5% 2021', '8% 2021', '5% 2021']);
    assert.equal(cs[0].quote, '地区生产总值增长7.5%以上');
  });

  it('an explanation after the list (2016年廣西地區生產總值預期增長7.5-8%這一目標的設定, http://hkcd.com/content_p/2016-01/25/content_30793.html)', () => {
    const text =
      '廣西“兩個建成”目標謀“十三五”新局\n2016-01-25\n' +
      '  報告指出,2016年廣西經濟社會發展的主要預期目標是:地區生產總值預期增長7.5-8%,財政收入增長6%左右,固定資產投資增長14%,居民人均可支配收入實際增長7.5%。\n' +
      '  陳武表示,2016年是“十三五”的開局之年,也是推進結構性改革的攻堅之年。2016年廣西地區生產總值預期增長7.5-8%這一目標的設定,主要是從積極進取、統籌兼顧等方面考慮的。';
    const cs = extractTargets(text, { now: NOW });
    assert.deepEqual(cs.map((c) => `${c.value}${c.unit} ${c.deadline}`), ['7.5% 2016', '6% 2016', '14% 2016', '7.5% 2016']);
    assert.ok(cs.every((c) => !c.quote.includes('這一目標')));
  });

  it('two indicators with the same figure are two targets (规模以上工业增加值, 服务业增加值)', () => {
    const cs = extractTargets('2024年主要预期目标是:规模以上工业增加值增长8%以上,服务业增加值增长8%以上。', { documentYear: 2024 });
    assert.equal(cs.length, 2);
  });
});

describe('a ceiling indicator worded without a bound', () => {
  it('失业率5.5%左右 and 价格涨幅3.5%左右 are caps, 新增就业60万人以上 a floor (https://mip.lcpkj.cn/article/852.html)', () => {
    const cs = extractTargets('2020年主要预期目标是:城镇新增就业60万人以上,城镇调查失业率5.5%左右,居民消费价格涨幅3.5%左右。', { documentYear: 2020 });
    assert.deepEqual(cs.map((c) => `${c.value}${c.unit} ${c.comparator}`), ['60万人 >=', '5.5% <=', '3.5% <=']);
    assert.ok(cs[1].notes.some((n) => n.includes('按不高于处理')));
  });
});

describe('years planned after the fact of the year, and spans of years (dev half)', () => {
  const cases: [string, string, string[]][] = [
    [
      '2025年我國…將大于90% and the same 2025年 after it, undated (http://qutaogo.com/sjtt/2022/0110/70355.html)',
      '國家發展改革委等部門印發的《“十四五”公共服務規劃》10日發布。根據規劃,2025年我國學前教育毛入園率將大于90%,高中階段教育毛入學率大于92%。2025年我國人均預期壽命達78.3歲,基本養老保險參保率達95%。',
      ['90% 2025', '92% 2025', '78.3岁 2025', '95% 2025'],
    ],
    [
      '今年的主要目标 and 未来五年的目标 (http://finance.dejiangwang.com/finance/2023/0420/49292.html)',
      '甘肃:今年粮食产量保持在1200万吨以上\n2023-04-20 10:52:52 来源:互联网\n甘肃省委、甘肃省人民政府发布实施意见提出,今年的主要目标是:全省第一产业增加值增长5%以上,粮食产量保持在1200万吨以上。未来五年的目标是:现代乡村产业体系基本形成,打造10个百亿级产业大县。',
      ['5% 2023', '1200万吨 2023', '10个 2027'],
    ],
    [
      'a review’s 预期 is the plan it measures, not one (http://m.ettaleb.com/news/guonei/2017/0114/185778.html)',
      '2017年1月14日上午9時,山西省第十二屆人民代表大會第七次會議在太原隆重開幕。\n樓陽生表示,2016年,山西社會消費品零售總額增長7%左右,高于預期1.5個百分點;一般公共預算收入下降5.2%,好于下降7%的預期;城鄉居民人均可支配收入分別增長6%左右、6%以上,實現預期目標。城鎮新增就業46.46萬人,城鎮登記失業率3.52%,控制在預期4.2%以內。',
      ['7% 2016', '4.2% 2016'],
    ],
    [
      '塌目标/高于目标 N个百分点 under 主要目标完成情况 (http://www.kmgd.gov.cn/c/2023-10-25/6719680.shtml)',
      '——2023年8月31日在区第十七届人大常委会第十五次会议上\n(一)主要目标完成情况\n2023年上半年,全区实现地区生产总值806亿元,同比增长3.2%,塌目标1.8个百分点;规模以上工业增加值同比增长10.1%,高于目标2.1个百分点;一般公共预算收入完成21.91亿元,同比增长1.3%,塌目标18.7个百分点;社会消费品零售总额400.07亿元。',
      [],
    ],
  ];
  for (const [name, text, expected] of cases) it(name, () => assert.deepEqual(found(text), expected));

  it('the plan of a review comes with its actual as a figure of that year', () => {
    const cs = extractTargets(
      '2017年1月14日上午9時,山西省第十二屆人民代表大會第七次會議在太原隆重開幕。\n樓陽生表示,2016年,城鎮登記失業率3.52%,控制在預期4.2%以內;一般公共預算收入下降5.2%,好于下降7%的預期。',
      { now: NOW },
    );
    assert.deepEqual(
      cs.map((c) => [c.value, c.comparator, c.relative?.kind ?? null, c.figures]),
      [
        [4.2, '<=', null, [{ period: '2016', value: 3.52 }]],
        [7, '<=', 'decrease', [{ period: '2016', value: 5.2 }]],
      ],
    );
  });
});
