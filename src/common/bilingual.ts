/** Splits "中文 (English)" messages; brackets with no English word in them stay with the Chinese. */
export function splitBilingual(message: string): { zh: string; en: string | null }[] {
  return message.split('；').map(splitOne);
}

function splitOne(message: string): { zh: string; en: string | null } {
  const text = message.trim();
  if (!text.endsWith(')')) return { zh: text, en: null };
  let depth = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    if (text[i] === ')') depth++;
    else if (text[i] === '(' && --depth === 0) {
      const en = text.slice(i + 1, -1).trim();
      const zh = text.slice(0, i).trim();
      // The English may quote the input ("三百五" is not a number): quotes aside, no Chinese and an English word.
      const bare = en.replace(/"[^"]*"|“[^”]*”|'[^']*'/g, '');
      if (!zh || /\p{Script=Han}/u.test(bare) || !/[a-z]{2,}/.test(bare)) return { zh: text, en: null };
      return { zh, en };
    }
  }
  return { zh: text, en: null };
}

/** The message in one language: Chinese for zh, English (where it has one) for en. */
export function inLanguage(lang: 'zh' | 'en', message: string): string {
  const parts = splitBilingual(message);
  return lang === 'en' ? parts.map((p) => p.en ?? p.zh).join('; ') : parts.map((p) => p.zh).join('；');
}
