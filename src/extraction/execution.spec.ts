import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { documentYear } from './deadlines.js';
import { extractTargets } from './extract.js';

// 《关于莆田市荔城区2022年国民经济和社会发展计划执行情况与2023年国民经济和社会发展计划草案的报告》,
// http://www.ptlc.gov.cn/zwgk/gzbg/jhbg/202304/t20230421_1814674.htm (sentences as published)
const LICHENG = [
  '一、2022年国民经济和社会发展计划执行情况',
  '初步预计，荔城地区生产总值635亿元，完成年计划710亿元的89.4%（主要是二产、三产未达预期目标），增长2.0%。其中，第一产业增加值18亿元，完成年计划18亿元的100%，增长3.5%；第二产业增加值323亿元，完成年计划362亿元的89.2%（主要是规模以上工业产值、建筑业产值未达到预期目标），下降2.0%；第三产业增加值294亿元，完成年计划330亿元的89.1%（主要是限上批发零售业销售额、商品房销售面积未达预期），增长6.3%。三次产业结构调整为2.8:50.9:46.3。农林牧渔业总产值33亿元，完成年计划33.5亿元的98.5%，增长3.1%。',
].join('\n');

// 迪庆州 1—9月 (https://redtowerstudio.com/xwzx/2016-10/20/content_244842.htm, a repost of 香格里拉网):
// year-to-date actuals against the year's target, the plan not written.
const DIQING = '1至9月，全州规模以上固定资产投资预计同比增长20%。其中，香格里拉市预计完成112亿元，同比增长47.7%，完成年度目标任务的69.1%；德钦县预计完成31亿元，同比下降5.0%，完成年度目标任务的50%。';

describe('plan-execution reports', () => {
  it('荔城区2022年: each plan is the year\'s target, the actual beside it a figure of that year; growth rates are no targets', () => {
    const cs = extractTargets(LICHENG, { documentYear: 2023 });
    assert.deepEqual(cs.map((c) => [c.subject, c.value, c.unit, c.deadline, c.figures]), [
      ['荔城地区生产总值', 710, '亿元', '2022', [{ period: '2022', value: 635 }]],
      ['第一产业增加值', 18, '亿元', '2022', [{ period: '2022', value: 18 }]],
      ['第二产业增加值', 362, '亿元', '2022', [{ period: '2022', value: 323 }]],
      ['第三产业增加值', 330, '亿元', '2022', [{ period: '2022', value: 294 }]],
      ['农林牧渔业总产值', 33.5, '亿元', '2022', [{ period: '2022', value: 33 }]],
    ]);
    for (const c of cs) assert.equal(LICHENG.slice(c.start, c.end), c.quote);
  });

  it('the actual follows from the plan and the share when it is not written (120亿元 × 95.2%)', () => {
    // the issue's own wording, composed
    const [c] = extractTargets('二、2024年计划执行情况\n全区固定资产投资完成年计划120亿元的95.2%，增长3.1%。', { documentYear: 2025 });
    assert.deepEqual([c.value, c.unit, c.deadline, c.figures], [120, '亿元', '2024', [{ period: '2024', value: 114.24 }]]);
  });

  // 陕西省2025年计划执行情况 (https://sndrc.shaanxi.gov.cn/zfxxgk/fdzdgknr/ghxx/202602/t20260212_3613328.html), read in 2026
  it('陕西省2025年计划执行情况: 超额完成 and 年内 in the review section report 2025, they plan nothing', () => {
    const text = '一、2025年计划执行情况\n(一)“稳中向好”方面:一是超额完成粮食生产任务。有效应对历史罕见的春夏连旱和强秋淋天气,全年粮食播种面积4567.9万亩,总产实现1347万吨,粮食生产再获丰收。二是工业生产总体平稳。规上工业增加值保持较快增速,增长7.3%、高于全国1.4个百分点,其中采矿业支撑有力,年内保持9%以上的增速;制造业保持稳定,增加值增长4.9%,新能源汽车产量达到109.47万辆、占比63.5%,太阳能电池产量增长15%。';
    assert.deepEqual(extractTargets(text, { documentYear: 2026 }).map((c) => `${c.value}${c.unit}`), []);
  });

  // 重庆市2024年上半年计划执行情况 (https://www.cqrd.gov.cn/site/article/1300784392645222400/web/content_1300784392645222400.html)
  it('重庆 1—6月: 高于全年目标任务0.1个百分点 compares an actual with the plan, it is no target', () => {
    const text = '1—6月,全市地区生产总值同比增长6.1%,高于全国平均水平1.1个百分点、居全国第2位、高于全年目标任务0.1个百分点。';
    assert.deepEqual(extractTargets(text, { documentYear: 2024 }).map((c) => `${c.value}${c.unit}`), []);
  });

  // 四川省2023年计划执行情况 (https://scsqw.cn/scdqs/scsq/sclhbg/scsjhbg/content_136646)
  it('四川 2023: 重要要求 in a review names a requirement, the 6万亿元 reached and the 10 of 12 targets met are no targets', () => {
    const text = '一、2023年国民经济和社会发展计划执行情况\n全省上下准确把握“四个发力”重要要求,认真执行省十四届人大一次会议审查批准的国民经济和社会发展计划,全省经济回升向好、民生不断改善、社会大局总体稳定,经济总量迈上6万亿元台阶。经过全省上下共同努力,国民经济和社会发展计划执行情况总体良好,12项主要预期目标中10项能够达到或超额完成、2项与预期目标存在差距。';
    assert.deepEqual(extractTargets(text, { documentYear: 2024 }).map((c) => `${c.value}${c.unit}`), []);
  });

  // 湖南省人民政府关于印发《湖南省2025年国民经济和社会发展计划》的通知 (http://zjjnews.cn/news/hunan/news_211318.html), read in a later year; the review paragraph shortened
  it('湖南 2025: the notice\'s date on its own line after the opening dates the plan, so its 2025 targets keep their year', () => {
    const text = [
      '湖南省人民政府关于印发《湖南省2025年国民经济和社会发展计划》的通知', '湘政发〔2025〕3号', '各市州、县市区人民政府,省政府各厅委、各直属机构:',
      '《湖南省2025年国民经济和社会发展计划》已经省十四届人大三次会议审议通过,现印发给你们,请认真组织实施。', '湖南省人民政府', '2025年2月26日',
      '湖南省2025年国民经济和社会发展计划',
      '2024年,我省推动全省经济运行呈现“总体平稳、稳中有进、结构优化、质态向好”的良好态势。全年地区生产总值增长4.8%、总量达5.3万亿元。',
      '按照省委十二届八次全会暨省委经济工作会议总体部署,2025年经济社会发展主要预期目标是:地区生产总值增长5.5%左右,城镇新增就业70万人。',
    ].join('\n');
    assert.equal(documentYear(text, new Date('2026-12-05T00:00:00Z')).year, 2025);
    assert.deepEqual(extractTargets(text, { now: new Date('2026-12-05T00:00:00Z') }).map((c) => [c.value, c.unit, c.deadline]), [[5.5, '%', '2025'], [70, '万人', '2025']]);
  });

  it('迪庆州 1至9月: a year-to-date share with no plan written proposes nothing, and its actuals are no targets', () => {
    assert.deepEqual(extractTargets(DIQING, { documentYear: 2016 }).map((c) => `${c.value}${c.unit}`), []);
  });
});
