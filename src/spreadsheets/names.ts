/** Target names and aliases compared loosely (NFKC, no whitespace, lower case, ASCII punctuation). Pure. */

const PUNCTUATION: Record<string, string> = {
  '、': ',', '，': ',', '。': '.', '；': ';', '：': ':', '“': '"', '”': '"', '‘': "'", '’': "'",
  '【': '[', '】': ']', '〔': '(', '〕': ')', '《': '<', '》': '>', '〈': '<', '〉': '>',
  '—': '-', '–': '-', '―': '-', '－': '-', '～': '~', '〜': '~', '·': '.', '・': '.',
};
const PUNCTUATION_RE = new RegExp(`[${Object.keys(PUNCTUATION).join('')}]`, 'g');

export const nameKey = (name: string): string =>
  name.normalize('NFKC').replace(/\s+/g, '').replace(PUNCTUATION_RE, (c) => PUNCTUATION[c]).toLowerCase();

/** An alias list as typed in a form: one a line, or separated by 、 ; ；. Trimmed, blanks and repeats dropped. */
export function splitAliases(text: string): string[] {
  const seen = new Set<string>();
  const aliases: string[] = [];
  for (const part of text.split(/[\r\n、;；]+/)) {
    const alias = part.trim();
    if (!alias || seen.has(nameKey(alias))) continue;
    seen.add(nameKey(alias));
    aliases.push(alias);
  }
  return aliases;
}
