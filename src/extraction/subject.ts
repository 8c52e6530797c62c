/** What a figure measures, from the words of its clause (the noun after 的 where there is one). */

const LEADING = new RegExp(
  '^(?:' +
    [
      '[（(][一二三四五六七八九十\\d]+[）)]', '[一二三四五六七八九十]+、', '\\d+[.、]',
      '(?:到|至|截至|截止到?|在)?\\d{4}\\s*年(?:底|末)?(?:前|以前|之前)?',
      '[“"]?十[一二三四五六七八九]五[”"]?(?:期末|末|期间|时期)?',
      '今年|年内|全年|明年|去年|上年|目前|如今|未来|同时|此外|其中|另外|并且|并|以及',
      '力争|争取|确保|预计|计划|努力|力求|将|要|拟|使|让|通过|推动|推进|促进|实现|可|能|已经|已|累计|共计|共',
      '全区|全县|全市|全省|全镇|全域|我区|本区|区域内',
      '的?基础上(?:再)?|为基数|为基期',
      '新培育|新认定|新引进|新建成|完成|建成|建设|新建|改建|培育|打造|引进|招引|形成|认定|实施|开展|安排|给予',
    ].join('|') +
    ')\\s*',
);

const TRAILING = new RegExp(
  '(?:' +
    [
      '不少于', '不低于', '不得低于', '不得少于', '至少', '不超过', '不得超过', '不高于', '控制在', '控制到',
      '保持在', '稳定在', '提高到', '提高至', '提升到', '提升至', '增长到', '增长至', '增加到', '增加至', '增至',
      '下降到', '下降至', '降低到', '降低至', '降至', '降到', '减少到', '减少至', '超过', '超出', '高于', '低于',
      '突破', '达到', '达', '为', '超', '保持', '实现', '完成', '下降', '降低', '减少', '增长', '提高', '提升', '增加',
      '分别', '(?<!年)均', '在', '将', '要', '力争', '累计', '的', '共', '总计',
      // a rank's verb and scope: 跃居全省(前40位), 进入全市(前3)
      '(?:进入|跃居|跃升至?|跻身|位居|稳居|保持|位列|排名|排在|迈入|挺进|冲刺|争创)(?:全球|全国|全省|全市|全区|全县|全州|省内|市内|同类城市)?',
      // a comparison phrase left before a baseline: 较2022年的, 比2020年, 在2020年
      '(?:较|比|相比|与|同|在|从|由)\\s*(?:\\d{4}\\s*年(?:底|末)?|上年|去年)?\\s*的?',
    ].join('|') +
    ')\\s*$',
);

const GENERIC = /^(?:总量|总数|数量|规模|比重|比例|占比|总额|总计)$/;

/** Strip lead-in words, time phrases and trailing comparator words; drop bracketed asides. */
export function cleanSubject(s: string): string {
  let t = s.replace(/[（(][^（()）]*[）)]/g, '').replace(/[“”"‘’「」『』]/g, '').trim();
  for (let prev = ''; prev !== t; ) {
    prev = t;
    t = t.replace(LEADING, '').replace(TRAILING, '').trim();
  }
  return t;
}

export function isGeneric(subject: string): boolean {
  return GENERIC.test(subject);
}

/** The noun phrase after “的” that follows a figure: 28万辆的新能源整车产能 → 新能源整车产能. */
export function nounAfter(after: string): string {
  const m = /^\s*(?:以上|以下)?的\s*([^，,；;。！？!?、：:（(]{1,20})/.exec(after);
  return m ? cleanSubject(m[1]) : '';
}

/** Length of the longest common substring: how much two subjects share. */
export function commonLength(a: string, b: string): number {
  let best = 0;
  const prev = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    let diag = 0;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = a[i - 1] === b[j - 1] ? diag + 1 : 0;
      if (prev[j] > best) best = prev[j];
      diag = up;
    }
  }
  return best;
}

/** A count of the items just listed followed by their class (电子信息2个优势产业) names them; it is not a goal. */
export function isEnumerationCount(before: string, value: number, after: string): boolean {
  if (!Number.isInteger(value) || value < 2 || value > 20) return false;
  // the class named after the count (优势产业), maybe after a scale class (500亿级产业集群)
  const rest = after.trim().replace(/^\d+(?:\.\d+)?\s*[万亿千百]*级/, '');
  if (!/^[^\d，,。；;：:、]{2,}/.test(rest) || /^(?:以上|以下|以内|左右|及以上|的)/.test(rest)) return false;
  const list = before.replace(/等$/, '');
  const items = list.split('、').map((x) => x.trim());
  if (items.some((x) => x.length === 0)) return false;
  const counts = /[和及与]/.test(items[items.length - 1]) ? [items.length, items.length + 1] : [items.length];
  if (counts[counts.length - 1] < 2) return false;
  const etc = before.endsWith('等');
  return etc ? counts[0] <= value : counts.includes(value);
}
