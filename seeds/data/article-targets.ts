import type { SeedTarget } from './seed.types.js';

/**
 * Targets of the article seeds/source/yubei-advanced-manufacturing-2024.txt (2024; "去年" = 2023).
 * Every `source.quote` is an exact substring of one line of that file (test/unit/seed-data.spec.ts).
 * Periods: a level target "by 2025" has target period '2025' (the end of 2025); a flow target's
 * period '2025' is the yearly total of 2025.
 */

/** The article's title exactly as it appears in the text (curly quotes U+201C/U+201D). */
export const ARTICLE_DOCUMENT = '渝北“四新”引领先进制造业激发新质生产力';

/** The plan the 倍增 targets come from, as the article names it. */
export const DOUBLING_PLAN =
  '《渝北区高新技术企业和科技型企业“倍增”行动计划实施方案（2023—2027年）》';

const source = (quote: string): SeedTarget['source'] => ({
  document: ARTICLE_DOCUMENT,
  quote,
  url: null,
});

const PROVISIONAL_DEADLINE = '文中未写明期限，暂按2025年，待牵头单位确认。';

export const ARTICLE_TARGETS: SeedTarget[] = [
  {
    code: 'DT-ENTERPRISES',
    name: '数字化改造企业数',
    unit: '家',
    kind: 'level',
    comparator: '>=',
    method: 'linear',
    frequency: 'quarterly',
    expectation: 'time',
    binding: true,
    department: 'ECON-INFO',
    supporting: ['FINANCE'],
    category: '数字化转型',
    baseline: null,
    target: { period: '2025', value: '350' },
    milestones: [],
    source: source('将通过数字化改造企业350家以上'),
    notes:
      '累计值：截至报告期末通过数字化改造的企业总数。文中未给出基期值，不设基线（评估时以首个录入值为起点）；' +
      '文中“实施了303个数字化改造项目”为项目数而非企业数，不作基线。',
  },
  {
    code: 'DT-COVERAGE',
    name: '规上企业数字化转型覆盖率',
    unit: '%',
    kind: 'level',
    comparator: '>',
    method: 'linear',
    frequency: 'quarterly',
    expectation: 'time',
    binding: true,
    department: 'ECON-INFO',
    supporting: ['STATS'],
    category: '数字化转型',
    baseline: null,
    target: { period: '2025', value: '90' },
    milestones: [],
    source: source('使规上企业转型覆盖率超90%'),
    notes:
      '原文为“超90%”，按严格大于90%判定。覆盖率＝已开展数字化转型的规上工业企业数÷规上工业企业总数；' +
      '文中未给出基期值，不设基线。',
  },
  {
    code: 'DT-PILOT-MATURITY',
    name: '数字化水平达到二级及以上的试点企业占比',
    unit: '%',
    kind: 'level',
    comparator: '>=',
    method: 'linear',
    frequency: 'quarterly',
    expectation: 'time',
    binding: false,
    department: 'ECON-INFO',
    supporting: [],
    category: '数字化转型',
    baseline: null,
    target: { period: '2025', value: '100' },
    milestones: [],
    source: source('试点企业数字化水平达到二级及以上'),
    notes:
      '原文“试点企业数字化水平达到二级及以上”未给出数值，本办以“数字化水平达到二级及以上的试点企业占试点企业总数的比重”量化该条款，' +
      '目标100%即全部试点企业达到二级及以上；期限沿用同句“到2025年”。等级按中小企业数字化水平评测口径，待牵头单位确认。',
  },
  {
    code: 'NEV-OUTPUT',
    name: '智能网联新能源汽车年产值',
    unit: '亿元',
    kind: 'flow',
    comparator: '>=',
    method: 'linear',
    frequency: 'quarterly',
    expectation: 'time',
    binding: true,
    department: 'ECON-INFO',
    supporting: ['STATS', 'DRC'],
    category: '汽车产业',
    baseline: null,
    target: { period: '2025', value: '2000' },
    milestones: [],
    source: source('力争到2025年，全区智能网联新能源汽车年产值将达2000亿元'),
    notes:
      '年度总量指标：2025年全年产值达2000亿元；按季度报送年初至本期累计值（累计值口径）。' +
      '文中未给出基期值，也未给出2024年分年目标。',
  },
  {
    code: 'CHANGAN-CAPACITY',
    name: '长安汽车渝北新工厂新能源整车年产能',
    unit: '万辆',
    kind: 'level',
    comparator: '>=',
    method: 'linear',
    frequency: 'quarterly',
    expectation: 'time',
    binding: false,
    department: 'ECON-INFO',
    supporting: ['DRC'],
    category: '汽车产业',
    baseline: null,
    target: { period: '2025', value: '28' },
    milestones: [],
    source: source('未来将形成不低于年产28万辆的新能源整车产能'),
    notes: PROVISIONAL_DEADLINE + '指标为报告期末已形成的新能源整车年产能（万辆/年）。',
  },
  {
    code: 'CHANGAN-OUTPUT',
    name: '长安汽车渝北新工厂年产值',
    unit: '亿元',
    kind: 'flow',
    comparator: '>=',
    method: 'linear',
    frequency: 'quarterly',
    expectation: 'time',
    binding: false,
    department: 'ECON-INFO',
    supporting: ['STATS'],
    category: '汽车产业',
    baseline: null,
    target: { period: '2025', value: '500' },
    milestones: [],
    source: source('年产值不低于500亿元'),
    notes: PROVISIONAL_DEADLINE + '年度总量指标，按季度报送年初至本期累计值（累计值口径）。',
  },
  {
    code: 'TECH-ENTERPRISES',
    name: '科技型企业数（倍增行动）',
    unit: '家',
    kind: 'level',
    comparator: '>=',
    method: 'cagr',
    frequency: 'quarterly',
    expectation: 'time',
    binding: false,
    department: 'SCI-TECH',
    supporting: ['ECON-INFO', 'FINANCE'],
    category: '科技创新',
    baseline: { period: '2023', value: '2782' },
    target: { period: '2027', value: '5564' },
    milestones: [],
    source: source('去年累计培育科技型企业895家，全区总量达到2782家'),
    notes:
      `依据${DOUBLING_PLAN}。文中未直接给出目标值：本办将“倍增”理解为2027年末总量达到2023年末（2782家）的两倍即5564家，` +
      '待牵头单位按方案原文确认。“去年”指2023年（文章发表于2024年）。',
  },
  {
    code: 'HIGHTECH-ENTERPRISES',
    name: '国家高新技术企业数（倍增行动）',
    unit: '家',
    kind: 'level',
    comparator: '>=',
    method: 'cagr',
    frequency: 'quarterly',
    expectation: 'time',
    binding: false,
    department: 'SCI-TECH',
    supporting: ['ECON-INFO', 'FINANCE'],
    category: '科技创新',
    baseline: { period: '2023', value: '506' },
    target: { period: '2027', value: '1012' },
    milestones: [],
    source: source('其中国家高新技术企业总量达到506家'),
    notes:
      `依据${DOUBLING_PLAN}。文中未直接给出目标值：本办将“倍增”理解为2027年末总量达到2023年末（506家）的两倍即1012家，` +
      '待牵头单位按方案原文确认。“去年”指2023年（文章发表于2024年）。',
  },
  {
    code: 'FISCAL-FUNDS',
    name: '财政资金年度投入（数字化改造）',
    unit: '亿元',
    kind: 'flow',
    comparator: '>=',
    method: 'linear',
    frequency: 'yearly',
    expectation: 'time',
    binding: false,
    department: 'FINANCE',
    supporting: ['ECON-INFO'],
    category: '财政投入',
    baseline: null,
    target: { period: '2025', value: '2' },
    milestones: [{ period: '2024', value: '2' }],
    source: source('近年来，渝北每年投入2亿元财政资金'),
    notes:
      '原文以“每年投入2亿元”表述持续性的年度投入，未写明期限；本办按每年不低于2亿元跟踪，' +
      '暂设2024、2025两个年度，2025年为暂定期限，待区财政局确认。按年度报送全年投入额。',
  },
];
