import type { OrganicPopulation } from './accounts.js';
import type { Locale } from './catalog.js';
import type { RoomBuilder, ViewerSession } from './room.js';

/**
 * Honest chat that repeats itself, each a trap for a detector that trusts
 * text alone: real people asking the same question all evening, fans
 * copying a popular comment, a giveaway keyword everyone types once,
 * cheers chanted in waves, and rooms where viewers write in many languages.
 * Every poster is a real viewer: their own account, phone and network.
 */

const SECOND = 1_000;
const MINUTE = 60_000;
const DAY = 86_400_000;

/** The questions every room gets, as different people type them. */
const FAQS: Record<Locale, readonly (readonly string[])[]> = {
  zh: [
    ['这个什么时候发货', '什么时候发货呀', '几天能发货啊', '什么时候能发货', '多久发货'],
    ['有没有优惠券啊', '有优惠券吗', '优惠券在哪里领', '还有没有优惠券'],
    ['160斤穿什么码', '一米六穿什么码', '我一百斤穿什么码', '偏胖穿什么码合适'],
    ['敏感肌能用吗', '敏感肌可以用吗', '敏感皮能用吗', '孕妇和敏感肌能用吗'],
    ['几号链接是这个', '这个是几号链接', '现在是几号链接', '刚才那个是几号链接'],
  ],
  en: [
    ['what size is she wearing', 'what size is she wearing?', 'what size is she in', 'which size is she wearing??'],
    ['do you ship to canada', 'do you ship to canada?', 'shipping to canada?', 'can you ship to canada pls'],
    ['is there a discount code', 'any discount code?', 'is there a promo code?', 'discount code please'],
    ['which link is this', 'what link number is this?', 'which link is it', 'what number link is that'],
    ['is it waterproof', 'is this waterproof?', 'waterproof or not?', 'is it water resistant'],
  ],
};

/** Real people asking the room's common questions at their own moments, some more than once when nobody answers. */
export function repeatedQuestions(room: RoomBuilder, sessions: readonly ViewerSession[]): void {
  const rng = room.rng;
  const faq = rng.pick(FAQS[room.setup.locale]);
  const askers = sessions.filter((session) => rng.chance(0.06 + 0.3 * session.account.engagement));
  for (const session of askers) {
    const until = Math.min(session.leaveAt, room.endTs);
    let ts = session.joinAt + rng.exponential(2 * MINUTE);
    for (let asked = 0; asked < 3 && ts < until; asked++) {
      room.comment(session.account, ts, rng.pick(faq));
      if (!rng.chance(0.35)) break;
      ts += rng.lognormal(90 * SECOND, 0.8);
    }
  }
}

const QUOTABLE: Record<Locale, readonly string[]> = {
  zh: ['主播这个表情包我存了哈哈哈', '笑死，主播自己都忍不住了', '这个价格我妈看了都说好', '今晚的福利是真的猛，主播太拼了'],
  en: ['she really said "trust the process" lmao', 'this is the most wholesome stream ever', 'the cat walking in was the best part', 'my wallet is crying but my heart is happy'],
};
const COPY_TAILS = ['', '', '', ' +1', ' 😂', '!!', ' this', ' 😂😂', ' ^', '!', ' fr', ' 哈哈哈'];

/** One viewer posts something memorable; fans copy it over the next minutes, fewer and fewer, a few adding their own touch. */
export function copiedComment(room: RoomBuilder, sessions: readonly ViewerSession[], at: number): void {
  const rng = room.rng;
  const present = sessions.filter((session) => session.joinAt < at && session.leaveAt > at + 10 * SECOND);
  if (present.length < 10) return;
  const original = rng.pick(QUOTABLE[room.setup.locale]);
  const author = rng.pick(present);
  room.comment(author.account, at, original);
  const share = rng.uniform(0.1, 0.35);
  for (const session of present) {
    if (session === author || !rng.chance(share * (0.5 + session.account.engagement))) continue;
    const ts = at + 2 * SECOND + rng.exponential(rng.uniform(20, 60) * SECOND);
    if (ts >= session.leaveAt || ts >= room.endTs) continue;
    room.comment(session.account, ts, `${original}${rng.pick(COPY_TAILS)}`);
  }
}

const KEYWORDS: Record<Locale, readonly string[]> = {
  zh: ['我要福袋', '想要想要', '抽我抽我', '主播我要', '福袋福袋', '求中奖求中奖'],
  en: ['pick me', 'GIVEAWAY', 'me please', 'i want it', 'enter me'],
};
const KEYWORD_TAILS = ['', '', '', '!', '！', '🙏', '🙏🙏', '~', '❤️', '!!!'];

/**
 * The host opens a giveaway: type the keyword once to enter. Viewers already
 * here answer within the window, and giveaway hunters (many of them new
 * accounts, on their own phones and networks) drop in for it.
 */
export function giveawayKeyword(room: RoomBuilder, sessions: readonly ViewerSession[], population: OrganicPopulation, at: number): void {
  const rng = room.rng;
  const keyword = rng.pick(KEYWORDS[room.setup.locale]);
  const windowMs = rng.uniform(60, 180) * SECOND;
  const share = rng.uniform(0.5, 0.85);
  const entrants: ViewerSession[] = sessions.filter((session) => session.joinAt < at + windowMs && session.leaveAt > at && rng.chance(share));
  const hunters = rng.int(10, 60);
  for (let i = 0; i < hunters; i++) {
    const account = population.create(room.setup.locale);
    const joinAt = at + rng.uniform(-30, windowMs / SECOND - 5) * SECOND;
    if (rng.chance(0.35)) account.createdAt = Math.round(joinAt - rng.uniform(0.1, 20) * DAY);
    entrants.push(room.watch(account, joinAt, joinAt + rng.lognormal(4 * MINUTE, 0.6)));
  }
  for (const session of entrants) {
    const opens = Math.max(at, session.joinAt);
    const ts = opens + Math.min(at + windowMs - opens - 1, rng.lognormal(8 * SECOND, 1));
    if (ts <= session.joinAt || ts >= session.leaveAt || ts >= room.endTs) continue;
    room.comment(session.account, ts, `${keyword}${rng.pick(KEYWORD_TAILS)}`);
  }
}

const CHEERS: Record<Locale, readonly string[]> = {
  zh: ['冲冲冲主播加油', '主播加油主播加油', '必须拿下必须拿下', '大卖大卖大卖'],
  en: ["let's go let's go", 'LETS GOOO', 'you got this!!', 'go go go go'],
};

/** A cheer sweeps the room: present viewers chant it, each a few times at their own pace. */
export function cheerWave(room: RoomBuilder, sessions: readonly ViewerSession[], at: number): void {
  const rng = room.rng;
  const cheer = rng.pick(CHEERS[room.setup.locale]);
  const share = rng.uniform(0.2, 0.5);
  for (const session of sessions) {
    if (session.joinAt >= at || session.leaveAt <= at || !rng.chance(share * (0.5 + session.account.engagement))) continue;
    let ts = at + rng.lognormal(5 * SECOND, 0.7);
    for (let k = 0, times = rng.int(1, 4); k < times && ts < Math.min(session.leaveAt, room.endTs); k++) {
      room.comment(session.account, ts, rng.chance(0.7) ? cheer : `${cheer}${rng.pick(KEYWORD_TAILS)}`);
      ts += rng.lognormal(6 * SECOND, 0.6);
    }
  }
}

/** Viewers writing in their own languages (a cross-border room); scripts a detector must not mistake for disguise. */
export const MULTILINGUAL_REACTIONS: readonly string[] = [
  'hola desde méxico', '¿cuánto cuesta?', 'me encanta este color', 'qué bonito', 'olá do brasil', 'quanto custa isso?', 'amei essa cor',
  'привет из москвы', 'сколько стоит?', 'очень красиво', 'доставка в россию есть?', 'مرحبا من السعودية', 'كم السعر؟', 'جميل جدا',
  '안녕하세요 한국에서 왔어요', '얼마예요?', '너무 예뻐요', 'こんにちは日本から', 'いくらですか？', 'かわいい！', 'xin chào từ việt nam',
  'bao nhiêu tiền vậy?', 'đẹp quá', 'สวัสดีจากไทย', 'ราคาเท่าไหร่คะ', 'สวยมาก', 'halo dari indonesia', 'berapa harganya?', 'bagus banget',
  'नमस्ते भारत से', 'कितने का है?', 'bonjour de france', 'combien ça coûte ?', 'merhaba türkiyeden', 'fiyatı ne kadar?', 'hallo aus deutschland',
  'wie viel kostet das?', 'ciao dall’italia', 'quanto costa?', 'kumusta mula pilipinas', 'magkano po?',
];
