import type { Locale } from './catalog.js';
import type { Rng } from './prng.js';

/**
 * How comment tools vary one line so exact-match filters miss it: spintax
 * (`{great|amazing|legit}` filled per post, the format spam kits ship),
 * then disguises layered on the filled text: emoji and punctuation noise,
 * digits inserted into words, homoglyphs from other scripts, traditional
 * characters, full-width forms, spaced-out letters, invisible characters,
 * clauses in another order.
 */

/** Fills every `{a|b|c}` group with one of its options (groups do not nest). */
export function spin(spintax: string, rng: Rng): string {
  return spintax.replace(/\{([^{}]*)\}/g, (_, options: string) => rng.pick(options.split('|')));
}

/** How hard a campaign disguises its lines; each field is a per-post probability. */
export interface Disguise {
  emojiNoise: number;
  punctuationNoise: number;
  insertedDigits: number;
  homoglyphs: number;
  /** zh: traditional characters; en: letter case games. */
  scriptSwap: number;
  fullWidth: number;
  spacedOut: number;
  invisible: number;
  reorder: number;
}

export function randomDisguise(rng: Rng): Disguise {
  const level = rng.uniform(0.1, 0.5);
  const p = (): number => (rng.chance(0.65) ? rng.uniform(0.3, 1) * level : 0);
  return {
    emojiNoise: rng.uniform(0.2, 0.8),
    punctuationNoise: rng.uniform(0.3, 0.9),
    insertedDigits: p(),
    homoglyphs: p(),
    scriptSwap: p(),
    fullWidth: p(),
    spacedOut: p() / 2,
    invisible: p(),
    reorder: p(),
  };
}

const EMOJI = ['🔥', '👍', '❤️', '💯', '✨', '😍', '🙏', '👏', '🉐', '💕', '😊', '🥰', '⭐', '✅'];
const PUNCT: Record<Locale, readonly string[]> = {
  zh: ['！', '!', '～', '。', '!!', '！！！', '~~', '…', '?!'],
  en: ['!', '!!', '!!!', '.', '~', '...', ' :)', '?!'],
};

/** Latin letters and the Cyrillic or Greek letters drawn the same. */
const HOMOGLYPHS: Readonly<Record<string, readonly string[]>> = {
  a: ['а', 'ɑ'],
  c: ['с', 'ϲ'],
  e: ['е', 'ė'],
  i: ['і', 'í'],
  o: ['о', 'ο', '0'],
  p: ['р', 'ρ'],
  s: ['ѕ'],
  x: ['х', 'χ'],
  y: ['у', 'ý'],
  h: ['һ'],
  k: ['κ'],
  n: ['ո'],
};

const TRADITIONAL: readonly (readonly [string, string])[] = [
  ['链接', '鏈接'],
  ['号', '號'],
  ['单', '單'],
  ['质量', '質量'],
  ['宝贝', '寶貝'],
  ['宝宝', '寶寶'],
  ['赶紧', '趕緊'],
  ['买', '買'],
  ['这', '這'],
  ['个', '個'],
  ['们', '們'],
  ['划算', '劃算'],
  ['价', '價'],
  ['发货', '發貨'],
  ['优惠', '優惠'],
];

const INVISIBLE = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff'];

export function disguise(text: string, locale: Locale, style: Disguise, rng: Rng): string {
  let out = text;
  if (rng.chance(style.reorder)) out = reorderClauses(out, rng);
  if (rng.chance(style.scriptSwap)) {
    if (locale === 'zh') for (const [simplified, traditional] of TRADITIONAL) out = out.replaceAll(simplified, traditional);
    else out = rng.chance(0.5) ? out.toUpperCase() : [...out].map((ch) => (rng.chance(0.5) ? ch.toUpperCase() : ch)).join('');
  }
  if (rng.chance(style.homoglyphs)) {
    out = [...out].map((ch) => (HOMOGLYPHS[ch] && rng.chance(0.4) ? rng.pick(HOMOGLYPHS[ch] as readonly string[]) : ch)).join('');
  }
  if (rng.chance(style.insertedDigits)) {
    const chars = [...out];
    for (let i = 0, n = rng.int(1, 3); i < n; i++) chars.splice(rng.int(1, Math.max(1, chars.length - 1)), 0, String(rng.int(0, 99)));
    out = chars.join('');
  }
  if (rng.chance(style.fullWidth)) {
    out = [...out].map((ch) => (ch >= '!' && ch <= '~' && rng.chance(0.7) ? String.fromCodePoint(ch.codePointAt(0)! + 0xfee0) : ch)).join('');
  }
  if (rng.chance(style.spacedOut)) out = [...out].join(' ');
  if (rng.chance(style.invisible)) {
    const chars = [...out];
    for (let i = 0, n = rng.int(1, 4); i < n; i++) chars.splice(rng.int(1, Math.max(1, chars.length - 1)), 0, rng.pick(INVISIBLE));
    out = chars.join('');
  }
  if (rng.chance(style.emojiNoise)) {
    const emoji = Array.from({ length: rng.int(1, 3) }, () => rng.pick(EMOJI)).join('');
    out = rng.chance(0.7) ? `${out}${emoji}` : `${emoji}${out}`;
  }
  if (rng.chance(style.punctuationNoise)) out += rng.pick(PUNCT[locale]);
  return out;
}

/** Swaps clauses split at commas or full stops; a text with one clause keeps its order. */
function reorderClauses(text: string, rng: Rng): string {
  const clauses = text.split(/(?<=[,，。.!！])\s*/).filter((clause) => clause.length > 0);
  if (clauses.length < 2) return text;
  return rng.shuffle(clauses).join(' ');
}

// ---------------------------------------------------------------- scripts the campaigns post

/**
 * One-line pitches with a few synonym slots, as a spam kit ships them: most
 * of the line is fixed, two or three words vary.
 */
export const PITCH_SPINTAX: Record<Locale, readonly string[]> = {
  zh: [
    '宝宝们，这个{面霜|精华|套装}真的{好用|绝了}，已经回购{好几次|三次}了',
    '刚{下单|拍了}，主播人真好，这个价格{太划算了|没谁了}',
    '这个价格太香了，{赶紧|抓紧}冲，晚了就{没了|抢不到了}',
    '质量真的{很好|超棒}，{姐妹们|家人们}放心买，闭眼入不踩雷',
    '第一次刷到这个直播间，东西{真不错|很实在}，已经点了关注',
  ],
  en: [
    'Honestly this {serum|cream} is {amazing|incredible}, already reordered for the third time',
    'Just {ordered|bought} mine, the host is so nice and this price is {insane|unreal}',
    'Grab it {now|fast} guys, this price {ends tonight|won\'t last}, trust me',
    'The quality is {really|super} good, {everyone|girls} just buy it, no regrets at all',
    'First time in this live room and the stuff is {great|legit}, already hit follow',
  ],
};

/** Questions a relay ring asks in turn, to look like a curious crowd. */
export const QUESTION_SPINTAX: Record<Locale, readonly string[]> = {
  zh: [
    '主播，这个{还有货吗|有现货吗}，想要{黑色|白色}的',
    '请问几号链接是刚才{那个|这个}面霜{啊|呀}',
    '这个套装今天直播间{多少钱|什么价}{呀|啊}',
    '拍了之后什么时候{发货|能发货}{啊|呀}，着急用',
    '有没有{优惠券|满减}啊，想多买两件',
  ],
  en: [
    'is the {black|white} one still in stock? want to order',
    'which link number is the {cream|serum} she just showed?',
    'how much is this set in the live room {today|tonight}?',
    'when does it ship after I order? need it {fast|soon}',
    'is there a {coupon|discount code} if I buy two?',
  ],
};

/** Lines a pool-rotation script draws from: many short lines, each account a different one per post. */
export const POOL_SPINTAX: Record<Locale, readonly string[]> = {
  zh: [
    '主播讲得{好专业|太清楚了}', '已拍，期待收货', '这个颜色{好看|太美了}', '性价比太高了', '给妈妈也买了一个', '物流好快，第二天就到',
    '回购第三次了', '点点关注不迷路', '库存不多了，抓紧', '支持主播，加油', '这个真的{值|划算}', '姐妹们冲，别犹豫',
    '比超市便宜多了', '包装很精致', '买了不亏', '主播人美心善', '上次买的很好用', '今天的价格太给力', '闭眼入不踩雷', '推荐给同事了',
  ],
  en: [
    'loving this shop', 'just ordered, so excited', 'the color is gorgeous', 'great value honestly', 'bought one for my mom', 'shipping was super fast',
    'third time buying here', 'hit follow for more deals', 'stock is running low', 'you go girl', 'this is so worth it', 'do not sleep on this',
    'way cheaper than the store', 'packaging is so nice', 'zero regrets buying this', 'she explains it so well', 'my last one lasted forever',
    'this price is crazy', 'best live shop around', 'shared the stream with friends',
  ],
};

/** The same pitches in the other locale's language: a campaign mixes scripts. */
export function otherLocale(locale: Locale): Locale {
  return locale === 'zh' ? 'en' : 'zh';
}
