import { mix32 } from './hashing.js';

/**
 * Folds the variations a comment script uses to dodge exact matching, so
 * that one template's fills land near each other: symbols, emoji,
 * punctuation, spacing and invisible characters go; case, full/half width
 * and styled letters fold (NFKC); accents go (the marks of a decomposed
 * letter); letters of other scripts drawn like Latin ones (Cyrillic "а",
 * Greek "ο") become those; traditional Chinese becomes simplified (a small
 * map of the characters common in live-commerce chat); digits go (slot
 * numbers, and digits inserted into words), except a lone 0, 1, 3, 4, 5 or
 * 7 inside a word, which stands for the letter it is drawn like ("h0w").
 */
export function normaliseComment(text: string): string {
  if (isPlainAscii(text)) return foldAscii(text.toLowerCase());
  // Symbols and format characters first: NFKC would turn some of them (🉐, ㊙) into letters.
  const folded = text.replace(SYMBOL_OR_FORMAT, '').normalize('NFKC').toLowerCase().normalize('NFD').replace(MARK, '').normalize('NFC');
  const chars = [...folded];
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i];
    if (DIGIT.test(char)) {
      out += leetLetter(char, chars[i - 1], chars[i + 1]);
      continue;
    }
    if (!LETTER.test(char)) continue;
    out += HOMOGLYPH_TO_LATIN.get(char) ?? TRADITIONAL_TO_SIMPLIFIED.get(char) ?? char;
  }
  return out;
}

function foldAscii(lower: string): string {
  let out = '';
  for (let i = 0; i < lower.length; i++) {
    const code = lower.charCodeAt(i);
    if (code >= 0x61 && code <= 0x7a) out += lower[i];
    else if (code >= 0x30 && code <= 0x39) out += leetLetter(lower[i], lower[i - 1], lower[i + 1]);
  }
  return out;
}

/** A lone look-alike digit between two Latin letters is that letter; any other digit is dropped. */
function leetLetter(digit: string, before: string | undefined, after: string | undefined): string {
  const letter = LEET[digit];
  if (letter === undefined || before === undefined || after === undefined) return '';
  return isLatinLetter(before) && isLatinLetter(after) ? letter : '';
}

const LEET: Readonly<Record<string, string>> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't' };

function isLatinLetter(char: string): boolean {
  const code = char.charCodeAt(0);
  return (code >= 0x61 && code <= 0x7a) || HOMOGLYPH_TO_LATIN.has(char);
}

function isPlainAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return false;
  return true;
}

const SYMBOL_OR_FORMAT = /[\p{S}\p{C}]/gu;
const MARK = /\p{M}/gu;

/** Lower-case letters of Cyrillic, Greek and IPA drawn like a Latin letter (after accents are gone). */
const HOMOGLYPH_TO_LATIN = new Map<string, string>(
  Object.entries({
    а: 'a', в: 'b', е: 'e', з: 'z', і: 'i', ј: 'j', к: 'k', м: 'm', н: 'h', о: 'o', п: 'n', р: 'p', с: 'c', т: 't', у: 'y',
    х: 'x', ѕ: 's', һ: 'h', ԁ: 'd', ԛ: 'q', ԝ: 'w', ӏ: 'l', ո: 'n', ս: 'u', ց: 'g', ɑ: 'a', ɡ: 'g', ı: 'i', ɩ: 'i', ʟ: 'l',
    α: 'a', β: 'b', ε: 'e', η: 'n', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', γ: 'y', ω: 'w', ϲ: 'c', ϳ: 'j',
  }),
);

/** Length in code points (what a person counts as characters). */
export function codePointLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0xd800 || code > 0xdbff) n++;
  }
  return n;
}

const DIGIT = /\p{Nd}/u;
/** Letters of any script; marks, punctuation, symbols, emoji, spaces and joiners are dropped. */
const LETTER = /\p{L}/u;

const PAIRS =
  '們们個个這这來来說说時时會会對对發发點点還还買买賣卖寶宝貝贝價价錢钱優优惠惠號号單单質质量量好好謝谢歡欢迎迎關关註注讚赞愛爱讓让聽听氣气開开話话問问嗎吗麼么沒没與与為为從从後后現现實实經经經经長长門门東东車车見见頭头無无間间將将應应機机學学費费貨货運运鏈链連连線线聯联係系組组紅红紙纸貼贴漂漂亮亮條条給给員员團团親亲熱热夠够劃划擇择場场轉转動动體体樣样萬万韓韩廣广戲戏視视頻频讀读書书氣气區区邊边網网飛飞鳥鸟魚鱼龍龙馬马黃黄鳳凤葉叶蘭兰麥麦麵面蘋苹蘿萝蔔卜藥药農农務务業业協协寫写鄉乡陽阳陰阴壓压歲岁歷历兒儿幾几準准備备盡尽態态總总屬属層层紀纪約约級级納纳純纯細细終终結结絕绝統统繼继續续綠绿維维羅罗緣缘縣县顏颜風风飯饭館馆餘余驗验髮发鬆松購购復复歸归張张臉脸膚肤濕湿潤润滅灭壞坏舊旧兩两雙双帶带襪袜褲裤裝装襯衬衛卫護护膠胶滿满檢检測测證证據据確确認认識识試试評评論论'
const TRADITIONAL_TO_SIMPLIFIED = new Map<string, string>();
for (let i = 0; i + 1 < PAIRS.length; i += 2) TRADITIONAL_TO_SIMPLIFIED.set(PAIRS[i], PAIRS[i + 1]);

/**
 * MinHash signature of a normalised text over character n-grams: bigrams
 * for CJK-heavy text (one character already carries a word), trigrams
 * otherwise. Cost is O(length × k), length capped by the 500-character limit.
 */
export function textSignature(normalised: string, k: number): Uint32Array {
  const signature = new Uint32Array(k).fill(0xffffffff);
  const points: number[] = [];
  let cjk = 0;
  for (const char of normalised) {
    const code = char.codePointAt(0) ?? 0;
    points.push(code);
    if (isCjk(code)) cjk++;
  }
  const n = points.length < 4 || cjk * 2 >= points.length ? 2 : 3;
  const grams = Math.max(1, points.length - n + 1);
  for (let g = 0; g < grams; g++) {
    let base = 0x811c9dc5;
    for (let j = g; j < g + n && j < points.length; j++) base = Math.imul(base ^ points[j], 0x01000193);
    base >>>= 0;
    for (let i = 0; i < k; i++) {
      const h = mix32(base, i);
      if (h < signature[i]) signature[i] = h;
    }
  }
  return signature;
}

function isCjk(code: number): boolean {
  return (code >= 0x3040 && code <= 0x30ff) || (code >= 0x3400 && code <= 0x9fff) || (code >= 0xac00 && code <= 0xd7af);
}

/** Share of equal signature slots: an unbiased estimate of the Jaccard similarity of the two n-gram sets. */
export function signatureSimilarity(a: Uint32Array, b: Uint32Array): number {
  let agree = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) agree++;
  return agree / a.length;
}
