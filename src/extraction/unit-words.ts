/** Units after a figure; a magnitude stays in the unit as written, 余/多 (approximate) do not. */

interface BaseUnit {
  unit: string;
  /** may carry 万/亿 …: 万人, 亿元 (not 级, %, 个百分点). */
  magnitude: boolean;
  /** the next character must not be one of these (支柱, 支持; 部门). */
  notBefore?: RegExp;
  /** counts only before a bound word or a clause end: 3天以内, 11个月，(not 2年时间, 三年行动). */
  boundary?: boolean;
}

const u = (unit: string, magnitude = true, extra: Partial<BaseUnit> = {}): BaseUnit => ({ unit, magnitude, ...extra });

/** Longest first where one unit is a prefix of another (个百分点 before 个, 人次 before 人). */
const BASE_UNITS: BaseUnit[] = [
  u('个百分点', false), u('百分点', false), u('%', false), u('‰', false),
  u('微克/立方米', false), u('毫克/立方米', false), u('吨标准煤', true), u('吨标煤', true),
  u('平方公里', true), u('平方千米', true), u('平方米', true), u('立方米', true), u('公顷', true),
  u('公里', true), u('千米', true), u('千瓦时', true), u('千瓦', true), u('兆瓦', true), u('吉瓦', true),
  u('标准箱', true), u('标箱', true), u('人次', true), u('户次', true), u('个月', false, { boundary: true }),
  u('美元', true), u('欧元', true), u('港元', true), u('元', true),
  u('家', true, { notBefore: /^[庭属乡长]/ }), u('个', true, { notBefore: /^(?:[人体性案别]|方面)/ }), u('项', true, { notBefore: /^目/ }),
  u('条', true, { notBefore: /^[件例款]/ }), u('座', true), u('所', true, { notBefore: /^[有在属以得]/ }),
  u('台', true, { notBefore: /^[阶湾]/ }), u('套', true), u('辆', true), u('架', true, { notBefore: /^[构]/ }),
  u('艘', true), u('人', true, { notBefore: /^[民员才口均力士]/ }), u('名', true, { notBefore: /^[单录列义称]/ }),
  u('位', true, { notBefore: /^[置于次列居]/ }), u('户', true, { notBefore: /^[籍口型外]/ }), u('件', true, { notBefore: /^[事]/ }),
  u('场', true, { notBefore: /^[景所地馆]/ }), u('处', true, { notBefore: /^[理置于]/ }), u('栋', true), u('间', true, { notBefore: /^[接隔]/ }),
  u('张', true), u('款', true, { notBefore: /^[项]/ }), u('种', true, { notBefore: /^[类植子]/ }),
  u('类', true, { notBefore: /^[别型]/ }), u('支', true, { notBefore: /^[柱持撑付出援队部]/ }),
  u('批', true, { notBefore: /^[准复次]/ }), u('株', true), u('棵', true), u('头', true, { notBefore: /^[部]/ }),
  u('只', true, { notBefore: /^[要有是能]/ }), u('份', true, { notBefore: /^[额]/ }), u('册', true), u('宗', true),
  u('床', true, { notBefore: /^[位]/ }), u('吨', true), u('公斤', true), u('千克', true), u('斤', true), u('亩', true), u('米', true),
  u('岁', false), u('倍', false), u('级', false, { notBefore: /^[医学院公城政党重乡]/ }),
  u('年', false, { boundary: true }), u('天', false, { boundary: true }), u('小时', false, { boundary: true }),
];

/** Magnitudes, longest first. 千 alone is not one (千瓦, 千米 are units of their own). */
const MAGNITUDES = ['万亿', '千亿', '百亿', '千万', '百万', '十万', '亿', '万'];

const APPROX = /^[余多]/;
const SPACE = /^[ \t\u00a0\u3000]/;
/** What may follow a unit that only counts at a boundary. */
const BOUNDARY_AFTER = /^(?:$|[，,。；;：:、！？!?）)\s”"’…]|以上|以下|以内|之内|左右|及以上|及以下|或以上)/;

export interface UnitMatch {
  /** as written, magnitude included: '亿元', '万辆', '%'. */
  unit: string;
  magnitude: string;
  base: string;
  /** 余 or 多 between number and unit. */
  approximate: boolean;
  /** offset just after the unit. */
  end: number;
}

/** The unit at `pos` (right after a number); `magnitudeWritten` is one split off a Chinese numeral. */
export function matchUnit(text: string, pos: number, magnitudeWritten = ''): UnitMatch | null {
  let i = pos;
  let approximate = false;
  if (SPACE.test(text.slice(i, i + 1))) i++;
  if (APPROX.test(text.slice(i, i + 1))) {
    approximate = true;
    i++;
  }
  let magnitude = magnitudeWritten;
  if (!magnitude) {
    for (const m of MAGNITUDES) {
      if (text.startsWith(m, i)) {
        magnitude = m;
        i += m.length;
        break;
      }
    }
  }
  if (magnitude && APPROX.test(text.slice(i, i + 1))) {
    approximate = true;
    i++;
  }
  for (const b of BASE_UNITS) {
    if (!text.startsWith(b.unit, i)) continue;
    if (magnitude && !b.magnitude) continue;
    const after = text.slice(i + b.unit.length, i + b.unit.length + 4);
    if (b.notBefore?.test(after)) continue;
    if (b.boundary && !BOUNDARY_AFTER.test(after)) continue;
    return { unit: magnitude + b.unit, magnitude, base: b.unit, approximate, end: i + b.unit.length };
  }
  return null;
}

/** Units that count things or amounts (a stock can double); not rates. */
export function isCountUnit(unit: string): boolean {
  return !/%|‰|百分点|倍|级|岁|年|天|小时|个月|\/立方米/.test(unit);
}

/** Rate units: a change in them is stated in 个百分点 or in %. */
export function isRateUnit(unit: string): boolean {
  return unit === '%' || unit === '‰';
}

/** A rank a target aims at: 跃居全省前40位, 进入全市前3, 保持全国第5位, 进入全国百强 (unit 位, comparator <=). */
export interface RankFigure {
  index: number;
  length: number;
  value: number;
}

const RANK_NUMBER = '(\\d+|[一二三四五六七八九十百]+)';
const RANK = new RegExp(
  `(?<=(?:进入|跃居|跃升至?|跻身|位居|稳居|保持|位列|排名|排在|迈入|挺进|冲刺|居|争创|进位至?|晋位至?)(?:全球|全国|全省|全市|全区|全县|全州|全盟|省内|市内|同类城市|同类地区|同类)?)(?:前${RANK_NUMBER}(?:位|名|强)?|第${RANK_NUMBER}(?:位|名)|${RANK_NUMBER}强)`,
  'g',
);

export function scanRanks(s: string, parse: (numeral: string) => number | null): RankFigure[] {
  const out: RankFigure[] = [];
  for (const m of s.matchAll(RANK)) {
    const n = m[1] ?? m[2] ?? m[3];
    const value = n === '百' ? 100 : parse(n);
    if (value !== null && value > 0) out.push({ index: m.index!, length: m[0].length, value });
  }
  return out;
}

/** An index figure has no unit of its own (指数达到160 → 指数). `before`/`after`: the text around the number. */
export function indexUnit(before: string, after: string): { unit: string; length: number } | null {
  if (!/指数[^，,。；;：:、\d]{0,8}$/.test(before)) return null;
  if (after.startsWith('点')) return { unit: '点', length: 1 };
  return /^(?:$|\s*(?:以上|以下|以内|左右|及以上|[，,。；;）)、]))/.test(after) ? { unit: '指数', length: 0 } : null;
}

/** A scale class (7万亿级) ending a clause is an amount; before a noun it names a class and is no figure. */
export function scaleUnit(text: string, pos: number, magnitudeWritten = ''): UnitMatch | null {
  const m = /^(万亿|千亿|百亿|亿|万)?级(?=$|[，,。；;、）)\s]|以上|左右)/.exec(text.slice(pos, pos + 8));
  const magnitude = magnitudeWritten || m?.[1];
  if (!m || !magnitude || (magnitudeWritten && m[1])) return null;
  return { unit: `${magnitude}元`, magnitude, base: '元', approximate: false, end: pos + m[0].length };
}

/** 规模突破万亿元: a magnitude with no number before it, after a verb of reaching, is one of it. */
export const BARE_TRILLION = /(?<=突破|超过|超|达到|达|迈上|跨上|跃上|站上|迈入|跨越|跨入)万亿(?:元|级)/g;
