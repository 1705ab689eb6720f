import type { Rng } from './prng.js';

/**
 * Reference data the simulated platform draws from: handsets, carrier
 * address space, chat, products. Weights are rough market shares, so common
 * models and carrier NAT ranges collide across unrelated honest viewers the
 * way they do on a real platform.
 */

export type Locale = 'zh' | 'en';

export interface HandsetModel {
  model: string;
  os: readonly string[];
}

const ZH_HANDSETS: readonly (readonly [HandsetModel, number])[] = [
  [{ model: 'iPhone15,2', os: ['iOS 17.5', 'iOS 18.1'] }, 9],
  [{ model: 'iPhone14,5', os: ['iOS 17.4', 'iOS 18.0', 'iOS 16.7'] }, 10],
  [{ model: 'iPhone16,1', os: ['iOS 18.1', 'iOS 18.2'] }, 6],
  [{ model: 'iPhone12,1', os: ['iOS 16.7', 'iOS 17.5'] }, 5],
  [{ model: 'ALN-AL00', os: ['HarmonyOS 4.0', 'HarmonyOS 4.2'] }, 7],
  [{ model: 'LNA-AL00', os: ['HarmonyOS 4.0'] }, 3],
  [{ model: 'FOA-AL00', os: ['HarmonyOS 3.1', 'HarmonyOS 4.0'] }, 4],
  [{ model: '23127PN0CC', os: ['Android 14', 'HyperOS 1.0'] }, 5],
  [{ model: '23078RKD5C', os: ['Android 13', 'Android 14'] }, 5],
  [{ model: '2312DRA50C', os: ['Android 14'] }, 4],
  [{ model: 'PJZ110', os: ['Android 14', 'ColorOS 14'] }, 4],
  [{ model: 'PHU110', os: ['Android 13'] }, 3],
  [{ model: 'V2309A', os: ['Android 14', 'OriginOS 4'] }, 4],
  [{ model: 'V2243A', os: ['Android 13'] }, 3],
  [{ model: 'PGT-AN10', os: ['Android 14', 'MagicOS 8.0'] }, 3],
  [{ model: 'ELZ-AN00', os: ['Android 12'] }, 2],
  [{ model: 'M2006C3LC', os: ['Android 10', 'Android 11'] }, 2],
  [{ model: 'SM-S9180', os: ['Android 14'] }, 1],
];

const EN_HANDSETS: readonly (readonly [HandsetModel, number])[] = [
  [{ model: 'iPhone15,2', os: ['iOS 17.5', 'iOS 18.1'] }, 10],
  [{ model: 'iPhone14,5', os: ['iOS 17.4', 'iOS 18.0'] }, 9],
  [{ model: 'iPhone16,2', os: ['iOS 18.1'] }, 7],
  [{ model: 'iPhone13,2', os: ['iOS 16.7', 'iOS 17.5'] }, 5],
  [{ model: 'SM-S921U', os: ['Android 14'] }, 6],
  [{ model: 'SM-A156U', os: ['Android 14'] }, 5],
  [{ model: 'SM-G991U', os: ['Android 13', 'Android 14'] }, 4],
  [{ model: 'Pixel 8', os: ['Android 14', 'Android 15'] }, 4],
  [{ model: 'Pixel 7a', os: ['Android 14'] }, 3],
  [{ model: 'moto g play - 2023', os: ['Android 13'] }, 3],
  [{ model: 'CPH2451', os: ['Android 14'] }, 1],
];

/** Cheap phones a group-control farm buys by the crate. */
export const FARM_HANDSETS: readonly HandsetModel[] = [
  { model: '220233L2C', os: ['Android 12'] },
  { model: 'M2006C3LC', os: ['Android 10'] },
  { model: 'PHB110', os: ['Android 11'] },
  { model: 'V2120A', os: ['Android 11'] },
  { model: 'SM-A022F', os: ['Android 10'] },
];

/** Android emulator profiles as the platform SDK reports them. */
export const EMULATOR_HANDSETS: readonly HandsetModel[] = [
  { model: 'SM-G9810', os: ['Android 9'] },
  { model: 'ASUS_I005DA', os: ['Android 9'] },
  { model: 'V1938T', os: ['Android 7.1.2'] },
];

/**
 * Models a cloud-phone vendor's virtual phones report: each rack runs one or
 * two builds of a mid-range Android phone, on an Android the vendor keeps old.
 */
export const CLOUD_PHONE_HANDSETS: readonly HandsetModel[] = [
  { model: 'V2197A', os: ['Android 11'] },
  { model: 'M2102K1C', os: ['Android 11'] },
  { model: 'SM-G9880', os: ['Android 10'] },
  { model: 'PEGM00', os: ['Android 10'] },
];

export function pickHandset(rng: Rng, locale: Locale): HandsetModel {
  return rng.weighted(locale === 'zh' ? ZH_HANDSETS : EN_HANDSETS);
}

/**
 * Carrier address space. Mobile users sit behind carrier-grade NAT, so many
 * unrelated honest viewers share a /24 and sometimes one address.
 */
const ZH_MOBILE_PREFIXES = ['112.96', '112.97', '117.136', '117.147', '120.229', '223.104', '39.144', '36.112', '111.18'];
const ZH_BROADBAND_PREFIXES = ['113.65', '114.88', '119.123', '125.118', '183.14', '180.102', '218.18', '222.71', '58.33'];
const EN_MOBILE_PREFIXES = ['172.58', '172.56', '174.205', '107.77', '166.205'];
const EN_BROADBAND_PREFIXES = ['73.12', '98.207', '24.14', '71.190', '76.102', '67.180', '99.35'];

export function carrierNatIp(rng: Rng, locale: Locale): string {
  const prefixes = locale === 'zh' ? ZH_MOBILE_PREFIXES : EN_MOBILE_PREFIXES;
  // CGNAT egress pools are small: a few dozen /24s per prefix carry a city.
  const prefix = rng.pick(prefixes);
  const third = Math.floor(rng.pareto(1, 1.1)) % 40;
  return `${prefix}.${third}.${rng.int(1, 254)}`;
}

export function mobileIpv6(rng: Rng): string {
  return `2409:8${rng.hex(3)}:${rng.hex(4)}:${rng.hex(4)}:${rng.hex(4)}:${rng.hex(4)}:${rng.hex(4)}:${rng.hex(4)}`;
}

export function broadbandIp(rng: Rng, locale: Locale): string {
  const prefix = rng.pick(locale === 'zh' ? ZH_BROADBAND_PREFIXES : EN_BROADBAND_PREFIXES);
  return `${prefix}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

/** A /24 for attacker infrastructure (IDC or a rented residential block). */
export function subnet24(rng: Rng): string {
  const prefix = rng.pick([...ZH_BROADBAND_PREFIXES, '47.96', '47.100', '101.132', '121.40', '139.224']);
  return `${prefix}.${rng.int(0, 255)}`;
}

export function ipIn(subnet: string, rng: Rng): string {
  return `${subnet}.${rng.int(2, 253)}`;
}

// ---------------------------------------------------------------- chat

export const ORGANIC_REACTIONS: Record<Locale, readonly string[]> = {
  zh: [
    '666', '666666', '好', '好好好', '来了', '来了来了', '上链接', '上链接！', '主播好美', '哈哈哈哈', '哈哈哈',
    '好看', '太好看了吧', '想要', '冲', '冲冲冲', '已拍', '拍了', '👍', '👍👍👍', '❤️', '🔥🔥', '😂😂', '🌹',
    '多少钱', '多少钱啊', '什么价格', '几号链接', '有没有黑色', '160斤穿什么码', '我165 100斤穿什么码', '包邮吗',
    '什么时候发货', '能便宜点吗', '再讲一下', '看看后面', '主播转一圈', '质量怎么样', '会起球吗', '掉色吗',
    '孕妇能用吗', '敏感肌可以用吗', '保质期多久', '有赠品吗', '还有库存吗', '抢到了', '没抢到😭', '手慢了',
    '拍了拍了', '主播喝口水吧', '晚上好', '第一次来', '天天来', '老粉报到', '刷到了', '路过', '在吗',
    '这个颜色显白吗', '尺码偏大还是偏小', '上次买的很好用', '回购了', '等了好久', '能不能再上一次',
  ],
  en: [
    'how much?', 'how much', 'price?', 'link pls', 'link?', 'omg', 'OMG', 'love it', 'love this', 'so cute',
    'need', 'need this', 'rip', 'lol', 'lmao', '😍', '🔥🔥🔥', '❤️', '👏👏', 'hi from texas', 'hello!', 'first time here',
    'what size are you wearing?', 'does it run small?', 'is it true to size', 'colors?', 'do you ship to canada',
    'got it!', 'ordered!', 'sold out already?', 'missed it 😭', 'restock pls', 'is it waterproof', 'how long is shipping',
    'can you show the back', 'any discount code?', 'is this the same as last week', 'bought 2', 'yesss', 'wait what',
  ],
};

/** Arrival chatter from viewers pushed in by a recommendation surge. */
export const SURGE_REACTIONS: Record<Locale, readonly string[]> = {
  zh: ['刷到了', '推荐过来的', '来了来了', '这是卖什么的', '好热闹', '怎么这么多人', '新人求福利', '第一次刷到'],
  en: ['fyp brought me here', 'just got here', 'what are we buying', 'hi new here', 'why is everyone here', 'whats the deal'],
};

export const CHANT_TEXTS: Record<Locale, readonly (readonly [string, number])[]> = {
  zh: [['1', 70], ['11', 8], ['111', 8], ['1111', 4], ['扣1', 3], ['要', 4], ['1️⃣', 2], ['１', 1]],
  en: [['1', 70], ['11', 6], ['111', 6], ['me', 6], ['yes', 8], ['me!', 4]],
};

/** Lucky-bag entry phrases: the platform makes every entrant type the same words. */
export const LUCKY_BAG_PHRASES: Record<Locale, readonly string[]> = {
  zh: [
    '关注主播不迷路，好物天天有，福利送不停！',
    '家人们一起冲，今晚福袋一定是我的，感谢主播！',
    '我是老粉我骄傲，主播的福袋我要定了，谢谢主播！',
    '主播人美心善，直播间好物多多，福袋快到碗里来！',
  ],
  en: [
    'I love this shop and I want to win the mystery box tonight!',
    'Following for more deals, pick me for the giveaway please!',
  ],
};

/** A host's giveaway keyword: type it to enter the draw (a share link brings people who do nothing else). */
export const GIVEAWAY_KEYWORDS: Record<Locale, readonly string[]> = {
  zh: ['想要', '抽我', '好运来', '宠粉', '我要福利', '锦鲤附体'],
  en: ['ME', 'pick me', 'giveaway', 'lucky', 'WIN'],
};

/** What fans type while the celebrity guest is on. */
export const FAN_REACTIONS: Record<Locale, readonly string[]> = {
  zh: ['哥哥好帅', '啊啊啊啊啊', '终于等到你', '爱你爱你', '看这里看这里', '哥哥看我', '追过来了', '冲着哥哥来的', '❤️❤️❤️', '太帅了吧'],
  en: ['OMG ITS HIM', 'we love you', 'look here!!', 'followed you here', 'ahhhh', 'so handsome', '❤️❤️❤️', 'hi from the fan club'],
};

// ---------------------------------------------------------------- products

export type Category = 'apparel' | 'beauty' | 'food' | 'electronics' | 'home' | 'jewelry';

/** List prices in major units; apparel is where honest refunds run high. */
const CATEGORY_PRICES: Record<Category, readonly [number, number]> = {
  apparel: [59, 399],
  beauty: [49, 599],
  food: [19, 129],
  electronics: [99, 1299],
  home: [29, 299],
  jewelry: [199, 2999],
};

/** Share of paid orders that honest buyers return, by category. */
export const CATEGORY_REFUND_RATE: Record<Category, readonly [number, number]> = {
  apparel: [0.3, 0.5],
  beauty: [0.04, 0.1],
  food: [0.01, 0.04],
  electronics: [0.05, 0.12],
  home: [0.04, 0.1],
  jewelry: [0.08, 0.18],
};

export interface Sku {
  skuId: string;
  listPrice: number;
  /** The everyday live-room price; flash-sale SKUs sell far below list. */
  livePrice: number;
}

export function makeSkus(rng: Rng, merchantId: string, category: Category, count: number): Sku[] {
  const [low, high] = CATEGORY_PRICES[category];
  const skus: Sku[] = [];
  for (let i = 0; i < count; i++) {
    // Prices end in 9 or .9 the way shops price them.
    const major = Math.round(rng.uniform(low, high) / 10) * 10 - 1;
    const listPrice = Math.max(9, major) * 100 + (rng.chance(0.3) ? 90 : 0);
    const livePrice = rng.chance(0.6) ? Math.round((listPrice * rng.pick([0.7, 0.8, 0.85, 0.9])) / 100) * 100 - 10 : listPrice;
    skus.push({ skuId: `${merchantId}-sku${String(i + 1).padStart(2, '0')}`, listPrice, livePrice: Math.max(100, livePrice) });
  }
  return skus;
}
