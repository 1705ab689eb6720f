import type { Locale } from '../catalog.js';
import type { Rng } from '../prng.js';
import { reaction } from './chatter.js';
import type { RoomContext } from './honest.js';
import type { HoSession, HoSku, HoStream, Segment } from './stream.js';
import {
  carrierNat,
  CLOUD_PHONE_MODELS,
  DAY,
  datacenterBlock,
  fixedDevice,
  homeBroadband,
  honestAccount,
  HOUR,
  inBlock,
  MINUTE,
  phoneDevice,
  RACK_MODELS,
  residentialProxy,
  SECOND,
  type HoAccount,
  type HoIds,
} from './world.js';

/**
 * The held-out model's attackers, each written from how the operators this
 * platform faces actually work; every routine returns exactly the accounts
 * that took part in the room, which become the labels.
 */

// ------------------------------------------------------------ the evening's operators

/** A rack of used phones under group-control software, each phone running an app cloner. */
export interface PhoneRack {
  accounts: HoAccount[];
}

/** A comment-control operator: a cohort and the copy it posts in every room it is paid for. */
export interface CommentOperator {
  accounts: HoAccount[];
  testimonials: string[];
  playlist: string[];
}

/** A brushing studio: a handful of people, a dozen phones, two pick-up addresses. */
export interface BrushingStudio {
  accounts: HoAccount[];
}

/** Attacker infrastructure that works many rooms in one evening, per locale. */
export class Underground {
  private readonly pools = new Map<string, unknown>();

  constructor(
    private readonly rng: Rng,
    private readonly ids: HoIds,
    private readonly now: number,
  ) {}

  private memo<T>(key: string, make: () => T): T {
    if (!this.pools.has(key)) this.pools.set(key, make());
    return this.pools.get(key) as T;
  }

  /**
   * (v2 truth) The operators made so far whose accounts share infrastructure
   * by construction (one cloud-phone service's exits, a rack's handsets, a
   * studio's pick-up points), with the style they play. The aged-account
   * shop, the comment cohorts and the task platform's workers are left out:
   * bought or hired one by one, they share nothing. Draws nothing.
   */
  linkedOperators(): { style: string; accounts: HoAccount[] }[] {
    const operators: { style: string; accounts: HoAccount[] }[] = [];
    const cloud = this.pools.get('cloud') as HoAccount[] | undefined;
    if (cloud) operators.push({ style: 'ho_cloud_phone_rotation', accounts: cloud });
    for (const rack of (this.pools.get('racks') as PhoneRack[] | undefined) ?? []) operators.push({ style: 'ho_rack_waves', accounts: rack.accounts });
    for (const locale of ['zh', 'en'] as const) {
      for (const studio of (this.pools.get(`studios:${locale}`) as BrushingStudio[] | undefined) ?? []) operators.push({ style: 'ho_studio_shared_address', accounts: studio.accounts });
    }
    return operators;
  }

  // Viewer farms sell to rooms in any language from the same Chinese infrastructure;
  // only what must be written or shipped (comments, addresses) is kept per locale.
  cloudPhones(): HoAccount[] {
    return this.memo('cloud', () => cloudPhonePool(this.rng, this.ids, this.now, 'zh', this.rng.int(380, 520)));
  }

  agedShop(): HoAccount[] {
    return this.memo('aged', () => Array.from({ length: this.rng.int(220, 320) }, () => agedAccount(this.rng, this.ids, this.now, 'zh')));
  }

  racks(): PhoneRack[] {
    return this.memo('racks', () => Array.from({ length: 2 }, () => phoneRack(this.rng, this.ids, this.now, 'zh')));
  }

  commentOperators(locale: Locale): CommentOperator[] {
    return this.memo(`comments:${locale}`, () => Array.from({ length: 2 }, () => commentOperator(this.rng, this.ids, this.now, locale)));
  }

  studios(locale: Locale): BrushingStudio[] {
    return this.memo(`studios:${locale}`, () => Array.from({ length: 3 }, () => brushingStudio(this.rng, this.ids, this.now, locale)));
  }

  taskWorkers(locale: Locale): HoAccount[] {
    return this.memo(`workers:${locale}`, () => Array.from({ length: this.rng.int(160, 240) }, () => honestAccount(this.rng, this.ids, locale, this.now)));
  }
}

/** Registration in batches: the operator signs up accounts by the hundred on a few afternoons. */
function batchCreatedAt(rng: Rng, batches: readonly number[]): number {
  return Math.round(rng.pick(batches) + rng.uniform(0, 5 * HOUR));
}

function cloudPhonePool(rng: Rng, ids: HoIds, now: number, locale: Locale, size: number): HoAccount[] {
  const batches = Array.from({ length: 4 }, () => now - rng.uniform(3, 40) * DAY);
  const blocks = Array.from({ length: 3 }, () => datacenterBlock(rng));
  const exits = Array.from({ length: rng.int(14, 26) }, () => inBlock(rng, rng.pick(blocks)));
  return Array.from({ length: size }, () => ({
    accountId: ids.account(),
    createdAt: batchCreatedAt(rng, batches),
    deviceId: ids.device(),
    // Cloud-phone images are rooted ARM servers; the SDK does not call them emulators.
    device: fixedDevice(rng, rng.pick(CLOUD_PHONE_MODELS), { rooted: rng.chance(0.7) }),
    ip: rng.pick(exits),
    network: 'datacenter' as const,
    phoneHash: ids.phone(),
    addressHash: ids.address(),
    chattiness: 0,
    tapRate: 0,
    buyingMood: 0,
  }));
}

/** An account bought aged from an account shop: years old, a real phone, a residential proxy. */
function agedAccount(rng: Rng, ids: HoIds, now: number, locale: Locale): HoAccount {
  const device = phoneDevice(rng, locale);
  if (!device.model?.startsWith('iPhone')) device.rooted = rng.chance(0.35);
  return {
    accountId: ids.account(),
    createdAt: Math.round(now - rng.uniform(380, 1500) * DAY),
    deviceId: ids.device(),
    device,
    ip: residentialProxy(rng, locale),
    network: 'proxy',
    phoneHash: ids.phone(),
    addressHash: ids.address(),
    chattiness: 0,
    tapRate: 0,
    buyingMood: 0,
  };
}

function phoneRack(rng: Rng, ids: HoIds, now: number, locale: Locale): PhoneRack {
  const model = rng.pick(RACK_MODELS);
  const os = rng.pick(model.os);
  const uplinks = Array.from({ length: rng.int(2, 3) }, () => homeBroadband(rng, locale));
  const batches = Array.from({ length: rng.int(2, 3) }, () => now - rng.uniform(10, 90) * DAY);
  const accounts: HoAccount[] = [];
  const phones = rng.int(30, 60);
  for (let p = 0; p < phones; p++) {
    const deviceId = ids.device();
    const device = { model: model.model, os, emulator: false, rooted: true };
    const ip = rng.pick(uplinks);
    // The cloner runs two to four accounts side by side on each handset.
    const clones = rng.int(2, 4);
    for (let c = 0; c < clones; c++) {
      accounts.push({
        accountId: ids.account(),
        createdAt: batchCreatedAt(rng, batches),
        deviceId,
        device,
        ip,
        network: 'office',
        phoneHash: ids.phone(),
        addressHash: ids.address(),
        chattiness: 0,
        tapRate: 0,
        buyingMood: 0,
      });
    }
  }
  return { accounts };
}

const ZH_TESTIMONIALS = [
  '买了三次了家里人都说好用', '用了一个月皮肤真的变好了', '朋友推荐来的果然没让我失望', '质量比商场里的还好', '已经推荐给同事了',
  '老客户了一直在这家买', '包装很用心送人很有面子', '之前买过别家的完全没法比', '物流超快第二天就到了', '这个价格真的闭眼入',
  '回购第五次了一直很稳定', '我妈用了说比以前的好', '客服态度特别好有问必答', '用完了又来买了', '性价比真的没得说',
  '孩子很喜欢每天都要', '颜值和质量都在线', '追了主播半年了东西都靠谱', '上次买的已经用完了再囤点', '比旗舰店还便宜',
  '刚收到就来复购了', '这款是真的好没有广告', '全家都在用', '味道很自然不刺鼻', '尺码很标准按平时买就行',
  '做工很细致没有线头', '办公室同事都问我链接', '第一次买就爱上了', '手感很好很有质感', '这个真的不踩雷',
  '说实话超出预期', '效果看得见', '买给老公他也说好', '闺蜜推荐的来了', '已经安利给全家了',
  '活动价太划算了', '用了就回不去了', '我是真的回购了好几次', '实物比图片还好看', '这次又多买了两份',
];
const EN_TESTIMONIALS = [
  'bought this 3 times already, love it', 'my skin has never looked better', 'my friend recommended it and she was right',
  'better quality than the mall brands', 'already told my coworkers about it', 'been buying from this shop for a year',
  'the packaging is so nice for gifts', 'way better than the other brand', 'shipping was super fast last time',
  'honestly worth every penny', 'on my fifth reorder', 'my mom uses it too and loves it', 'customer service was amazing',
  'finished mine and came back for more', 'best value I have found', 'my kids ask for it every day', 'looks even better in person',
  'been following this host for months, never disappointed', 'stocking up again', 'cheaper than the official store',
  'reordered the day it arrived', 'no ad, it is just that good', 'the whole family uses it', 'fits true to size',
  'stitching is really well done', 'everyone at work asked for the link', 'fell in love on the first try',
];
const ZH_PLAYLIST_BANK = [
  '主播人真好', '这个我上次买过', '质量很好', '已经下单了', '支持主播', '性价比很高', '推荐大家买', '东西不错的', '再来一单', '家人们冲',
];
const EN_PLAYLIST_BANK = ['love this host', 'I bought this before', 'great quality', 'just ordered', 'support!', 'great value', 'highly recommend', 'really good stuff'];

function commentOperator(rng: Rng, ids: HoIds, now: number, locale: Locale): CommentOperator {
  const bank = locale === 'zh' ? ZH_TESTIMONIALS : EN_TESTIMONIALS;
  return {
    accounts: Array.from({ length: rng.int(40, 60) }, () => {
      // The cohort is bought aged and kept warm, so it looks like ordinary mobile viewers.
      const account = honestAccount(rng, ids, locale, now, { network: 'mobile', createdAt: Math.round(now - rng.uniform(120, 900) * DAY) });
      account.chattiness = 0;
      account.tapRate = 0;
      account.buyingMood = 0;
      return account;
    }),
    testimonials: rng.sample(bank, Math.min(bank.length, rng.int(25, 40))),
    playlist: rng.sample(locale === 'zh' ? ZH_PLAYLIST_BANK : EN_PLAYLIST_BANK, 5),
  };
}

function brushingStudio(rng: Rng, ids: HoIds, now: number, locale: Locale): BrushingStudio {
  const pickups = [ids.address(), ids.address()];
  const city = carrierNat(rng, locale).split('.').slice(0, 2).join('.');
  return {
    accounts: Array.from({ length: rng.int(8, 12) }, () => ({
      accountId: ids.account(),
      createdAt: Math.round(now - rng.uniform(90, 540) * DAY),
      deviceId: ids.device(),
      device: phoneDevice(rng, locale),
      // One SIM per phone: distinct mobile addresses, all from the studio's city.
      ip: `${city}.${rng.int(0, 40)}.${rng.int(1, 254)}`,
      network: 'mobile' as const,
      phoneHash: ids.phone(),
      addressHash: rng.pick(pickups),
      chattiness: 0,
      tapRate: 0,
      buyingMood: 0,
    })),
  };
}

// ------------------------------------------------------------ helpers

function pointInStream(stream: HoStream, rng: Rng, fromShare: number, toShare: number): number {
  return stream.startTs + (stream.endTs - stream.startTs) * rng.uniform(fromShare, toShare);
}

function heroSku(stream: HoStream): HoSku {
  return [...stream.setup.skus].sort((a, b) => b.livePrice - a.livePrice)[0] as HoSku;
}

function productNumber(stream: HoStream, sku: HoSku): number {
  return stream.setup.skus.indexOf(sku) + 1;
}

/** Free accounts of a pool at `ts`, in a fresh order. */
function freeAt(ctx: RoomContext, pool: readonly HoAccount[], ts: number, count: number): HoAccount[] {
  return ctx.rng.sample(
    pool.filter((account) => ctx.stream.isFree(account, ts)),
    count,
  );
}

// ------------------------------------------------------------ injected viewers

/**
 * A cloud-phone "keep N online" package: seats fill over a few minutes, and
 * each seat is an account that stays a few minutes and is replaced by the
 * next one from the service's pool, so arrivals look like a steady trickle.
 */
export function cloudPhoneRotation(ctx: RoomContext, pool: readonly HoAccount[]): string[] {
  const { rng, stream } = ctx;
  const seats = rng.int(70, 200);
  const start = pointInStream(stream, rng, 0.05, 0.35);
  const end = Math.min(stream.endTs, start + rng.int(30, 60) * MINUTE);
  const ramp = rng.int(3, 6) * MINUTE;
  const queue = rng.shuffle([...pool]);
  let cursor = 0;
  const used = new Set<string>();
  for (let seat = 0; seat < seats; seat++) {
    let t = start + rng.uniform(0, ramp);
    let misses = 0;
    while (t < end - 30 * SECOND && misses < queue.length) {
      const account = queue[cursor++ % queue.length] as HoAccount;
      const session = stream.watch(account, t, Math.min(end, t + rng.lognormal(6 * MINUTE, 0.5)));
      if (!session) {
        misses++;
        continue;
      }
      used.add(account.accountId);
      // The package's optional "auto heart" tap, one per session.
      if (rng.chance(0.1)) stream.like(account, rng.uniform(session.joinAt, Math.min(session.leaveAt, stream.endTs)), rng.int(1, 3));
      t = session.leaveAt + rng.uniform(5, 30) * SECOND;
    }
  }
  return [...used];
}

/**
 * Aged bought accounts dripped in over most of an hour through residential
 * proxies; a third tap hearts on a timer; they all leave when the package expires.
 */
export function agedAccountDrip(ctx: RoomContext, shop: readonly HoAccount[]): string[] {
  const { rng, stream } = ctx;
  const start = pointInStream(stream, rng, 0.02, 0.25);
  const dripEnd = Math.min(stream.endTs - 6 * MINUTE, start + rng.int(40, 70) * MINUTE);
  const expiry = Math.min(stream.endTs + 10 * MINUTE, dripEnd + rng.int(5, 15) * MINUTE);
  const used: string[] = [];
  for (const account of freeAt(ctx, shop, start, rng.int(60, 150))) {
    const joinAt = rng.uniform(start, dripEnd);
    const session = stream.watch(account, joinAt, expiry + rng.exponential(30 * SECOND));
    if (!session) continue;
    used.push(account.accountId);
    // The farm's "warm-up" option: now and then a bot says something ordinary, once.
    if (rng.chance(0.15)) stream.comment(account, rng.uniform(session.joinAt, Math.min(session.leaveAt, stream.endTs)), reaction(rng, ctx.locale));
    if (rng.chance(0.33)) {
      const period = rng.uniform(40, 90) * SECOND;
      const stop = Math.min(session.leaveAt, stream.endTs);
      for (let t = session.joinAt + rng.uniform(0, period); t < stop; t += period * rng.uniform(0.95, 1.05)) stream.like(account, t, rng.int(1, 5));
    }
  }
  return used;
}

/**
 * A group-control rack: the operator clicks "enter room" and the hub walks
 * its phones in one after another a second or two apart, every cloned
 * account on the handset with it; each wave stays its paid quarter hour.
 */
export function rackWaves(ctx: RoomContext, rack: PhoneRack): string[] {
  const { rng, stream } = ctx;
  const used = new Set<string>();
  let waveAt = pointInStream(stream, rng, 0.05, 0.2);
  while (waveAt < stream.endTs - 5 * MINUTE) {
    const stay = rng.int(15, 25) * MINUTE;
    const members = freeAt(ctx, rack.accounts, waveAt, rng.int(40, 80)).sort((a, b) => a.deviceId.localeCompare(b.deviceId));
    let t = waveAt;
    const tapsOnEntry = rng.chance(0.5);
    for (const account of members) {
      t += rng.uniform(0.4, 2.5) * SECOND;
      const session = stream.watch(account, t, waveAt + stay + rng.uniform(0, 20) * SECOND);
      if (!session) continue;
      used.add(account.accountId);
      if (tapsOnEntry) stream.like(account, t + rng.uniform(2, 30) * SECOND, 1);
    }
    waveAt += rng.int(6, 12) * MINUTE;
  }
  return [...used];
}

/**
 * A count-only package: no accounts at all, the displayed figure is lifted
 * along a smooth S-curve with a slow wobble so it never jumps in steps.
 */
export function countOnlySmooth(ctx: RoomContext, honestPeakDisplayed: number): void {
  const { rng, stream } = ctx;
  const amplitude = honestPeakDisplayed * rng.uniform(1.2, 4);
  const mid = pointInStream(stream, rng, 0.15, 0.45);
  const tau = rng.uniform(3, 7) * MINUTE;
  const wobble = rng.uniform(4, 9) * MINUTE;
  const phase = rng.uniform(0, 2 * Math.PI);
  stream.displayedExtra = (ts) => amplitude * (1 / (1 + Math.exp(-(ts - mid) / tau))) * (1 + 0.06 * Math.sin((2 * Math.PI * ts) / wobble + phase));
}

// ------------------------------------------------------------ scripted comments

const ZH_PRAISE = {
  leads: ['真的', '强烈推荐', '闭眼入', '家人们', '姐妹们', '', '说真的'],
  claims: ['太好用了', '质量绝了', '回购无数次', '性价比超高', '买它就对了', '不买后悔', '值得入手'],
  tails: ['！', '!!', '~', '👍', '❤️', ' ', '😍😍', '！！！', ''],
};
const EN_PRAISE = {
  leads: ['honestly', 'trust me', 'guys', 'ladies', '', 'no joke'],
  claims: ['this is amazing', 'best purchase ever', 'worth it', 'buy it now', 'you will not regret it', 'top quality'],
  tails: ['!', '!!', ' 👍', ' ❤️', '', ' 😍', '!!!'],
};

function praise(rng: Rng, locale: Locale, product: number): string {
  const bank = locale === 'zh' ? ZH_PRAISE : EN_PRAISE;
  const item = locale === 'zh' ? `${product}号` : `#${product}`;
  const parts = [rng.pick(bank.leads), rng.chance(0.5) ? item : '', rng.pick(bank.claims)].filter((part) => part !== '');
  return `${parts.join(locale === 'zh' ? '' : ' ')}${rng.pick(bank.tails)}`;
}

/** Cohort viewers seated for the whole show, as comment-control operators seat them. */
function seatCohort(ctx: RoomContext, accounts: readonly HoAccount[], from: number): HoAccount[] {
  const { rng, stream } = ctx;
  const seated: HoAccount[] = [];
  for (const account of accounts) {
    const joinAt = from + rng.exponential(3 * MINUTE);
    if (stream.watch(account, joinAt, stream.endTs + SECOND)) seated.push(account);
  }
  return seated;
}

/** Praise templates with slot and emoji variations, each account on its own jittered timer all show long. */
export function praiseRotation(ctx: RoomContext, operator: CommentOperator): string[] {
  const { rng, stream, locale } = ctx;
  const cohort = seatCohort(ctx, freeAt(ctx, operator.accounts, stream.startTs, rng.int(12, 30)), stream.startTs);
  for (const account of cohort) {
    const period = rng.uniform(50, 110) * SECOND;
    for (let t = stream.startTs + rng.uniform(1, 4) * MINUTE; t < stream.endTs - SECOND; t += period * rng.uniform(0.85, 1.15)) {
      stream.comment(account, t, praise(rng, locale, productNumber(stream, stream.segmentAt(t).sku)));
      if (rng.chance(0.15)) stream.like(account, t + rng.uniform(1, 20) * SECOND, rng.int(1, 6));
    }
  }
  return cohort.map((account) => account.accountId);
}

/**
 * Testimonials timed to the show: whenever the host switches product, most of
 * the cohort posts a long first-person review from the operator's bank within
 * ninety seconds, then goes quiet. The same bank turns up in every client's room.
 */
export function launchWaveTestimonials(ctx: RoomContext, operator: CommentOperator): string[] {
  const { rng, stream } = ctx;
  const cohort = seatCohort(ctx, freeAt(ctx, operator.accounts, stream.startTs, rng.int(15, 25)), stream.startTs);
  const posted = new Set<string>();
  for (const segment of stream.setup.segments) {
    const lines = rng.shuffle([...operator.testimonials]);
    let line = 0;
    for (const account of cohort) {
      if (!rng.chance(0.75)) continue;
      const at = segment.from + rng.uniform(5, 90) * SECOND;
      if (at >= stream.endTs) continue;
      stream.comment(account, at, lines[line++ % lines.length] as string);
      posted.add(account.accountId);
    }
  }
  for (const account of cohort) if (rng.chance(0.5)) stream.like(account, pointInStream(stream, rng, 0.1, 0.95), rng.int(1, 8));
  return cohort.filter((account) => posted.has(account.accountId)).map((account) => account.accountId);
}

const ZH_SHILL_QUESTIONS = ['{n}号还有货吗', '{n}号链接怎么拍', '{n}号能便宜点吗', '{n}号什么材质', '{n}号有优惠吗', '主播讲讲{n}号', '{n}号适合送人吗', '{n}号几天发货'];
const EN_SHILL_QUESTIONS = ['is #{n} still available', 'how do I get #{n}', 'any deal on #{n}?', 'what is #{n} made of', 'can you explain #{n} again', 'is #{n} good as a gift', 'when does #{n} ship'];

/**
 * Shills taking turns asking the questions the host wants to answer: each
 * account speaks rarely, but the room hears one on a fixed beat.
 */
export function questionRelay(ctx: RoomContext): string[] {
  const { rng, stream, locale } = ctx;
  const shills = seatCohort(
    ctx,
    Array.from({ length: rng.int(6, 10) }, () => honestAccount(rng, ctx.ids, locale, stream.startTs, { createdAt: Math.round(stream.startTs - rng.uniform(20, 400) * DAY) })),
    stream.startTs,
  );
  const questions = locale === 'zh' ? ZH_SHILL_QUESTIONS : EN_SHILL_QUESTIONS;
  const beat = rng.uniform(18, 24) * SECOND;
  let turn = 0;
  for (let t = stream.startTs + 3 * MINUTE; t < stream.endTs - MINUTE; t += beat) {
    const account = shills[turn++ % shills.length];
    if (!account) break;
    const at = t + rng.normal(0, 1.2 * SECOND);
    stream.comment(account, at, rng.pick(questions).replace('{n}', String(productNumber(stream, stream.segmentAt(at).sku))));
  }
  return shills.map((account) => account.accountId);
}

/**
 * A low-volume script: every account works through the same five lines in
 * the same order, a few minutes apart, starting at its own offset, tapping now
 * and then, so no single account posts more than a chatty human.
 */
export function sparsePlaylist(ctx: RoomContext, playlist: readonly string[], sessions: readonly HoSession[]): string[] {
  const { rng, stream } = ctx;
  const posted = new Set<string>();
  for (const session of sessions) {
    const from = session.joinAt + rng.uniform(0.5, 8) * MINUTE;
    const to = Math.min(session.leaveAt, stream.endTs) - SECOND;
    const gap = rng.uniform(4, 7) * MINUTE;
    let t = from;
    for (const line of playlist) {
      if (t >= to) break;
      stream.comment(session.account, t, line);
      posted.add(session.account.accountId);
      t += gap * rng.uniform(0.9, 1.1);
    }
    if (rng.chance(0.5) && from < to) stream.like(session.account, rng.uniform(from, to), rng.int(1, 4));
  }
  return [...posted];
}

/** The operator's own cohort seated for the show, then run through its playlist. */
export function operatorPlaylist(ctx: RoomContext, operator: CommentOperator): string[] {
  const { rng, stream } = ctx;
  const accounts = seatCohort(ctx, freeAt(ctx, operator.accounts, stream.startTs, rng.int(20, 35)), stream.startTs);
  const seated = new Set(accounts);
  return sparsePlaylist(
    ctx,
    operator.playlist,
    stream.sessions.filter((session) => seated.has(session.account)),
  );
}

// ------------------------------------------------------------ refund brushing

/**
 * A brushing studio paid to lift one product: a dozen phones with their own
 * SIMs order the hero item during the agreed window, pay at once, and refund
 * a day or more after the stream, shipping to the studio's two pick-up points.
 */
export function studioBrushing(ctx: RoomContext, studio: BrushingStudio): string[] {
  const { rng, stream } = ctx;
  const sku = heroSku(stream);
  const windowStart = pointInStream(stream, rng, 0.2, 0.6);
  const windowEnd = Math.min(stream.endTs - 2 * MINUTE, windowStart + 10 * MINUTE);
  const brushed: string[] = [];
  for (const account of studio.accounts) {
    const session = stream.watch(account, windowStart - rng.uniform(1, 5) * MINUTE, windowEnd + rng.uniform(1, 5) * MINUTE);
    if (!session) continue;
    const orders = rng.int(1, 3);
    for (let i = 0; i < orders; i++) {
      stream.order(account, rng.uniform(windowStart, windowEnd), sku, sku.livePrice, 1, {
        paidAfter: rng.uniform(15, 90) * SECOND,
        refundAt: stream.endTs + rng.uniform(1, 4) * DAY,
      });
    }
    if (rng.chance(0.5)) stream.like(account, rng.uniform(session.joinAt, windowEnd), rng.int(1, 3));
    brushed.push(account.accountId);
  }
  return brushed;
}

/**
 * The merchant's own team empties the flash stock at the opening second so
 * it "sells out", pays, and cancels within hours of the stream, before
 * anything ships. Old personal accounts, half on the office line and the
 * warehouse address; now and then one keeps an order as cover.
 */
export function merchantStaffFlash(ctx: RoomContext, segment: Segment): string[] {
  const { rng, stream, locale } = ctx;
  const flash = segment.flash;
  if (!flash) return [];
  const officeIp = homeBroadband(rng, locale);
  const warehouse = ctx.ids.address();
  const staff = Array.from({ length: rng.int(5, 9) }, () =>
    honestAccount(rng, ctx.ids, locale, stream.startTs, {
      ...(rng.chance(0.6) ? { ip: officeIp, network: 'office' as const } : {}),
      ...(rng.chance(0.5) ? { addressHash: warehouse } : {}),
      createdAt: Math.round(stream.startTs - rng.uniform(300, 2000) * DAY),
    }),
  );
  const brushed: string[] = [];
  let taken = 0;
  for (const account of staff) {
    const session = stream.watch(account, stream.startTs + rng.exponential(4 * MINUTE), stream.endTs + SECOND);
    if (!session || session.joinAt > flash.at) continue;
    const orders = rng.int(1, 3);
    for (let i = 0; i < orders; i++) {
      const quantity = rng.int(1, 2);
      const cover = i === 0 && orders > 1 && rng.chance(0.3);
      stream.order(account, flash.at + rng.uniform(200, 1500) + i * rng.uniform(1, 4) * SECOND, segment.sku, flash.price, quantity, {
        paidAfter: rng.uniform(10, 40) * SECOND,
        refundAt: cover ? null : stream.endTs + rng.uniform(1, 8) * HOUR,
      });
      taken += quantity;
    }
    brushed.push(account.accountId);
  }
  // What the team grabbed is gone before the crowd's first tap lands.
  flash.stock = Math.max(3, flash.stock - taken);
  return brushed;
}

/**
 * Crowd workers from a task platform: their own phones, homes and years-old
 * accounts, nothing shared; each watches the required few minutes, buys the
 * task product once, leaves, and refunds days later for the commission.
 */
export function taskPlatformWorkers(ctx: RoomContext, workers: readonly HoAccount[]): string[] {
  const { rng, stream, locale } = ctx;
  const sku = rng.pick(stream.setup.skus);
  const windowStart = pointInStream(stream, rng, 0.1, 0.45);
  const windowEnd = Math.min(stream.endTs - 10 * MINUTE, windowStart + 30 * MINUTE);
  const brushed: string[] = [];
  for (const account of freeAt(ctx, workers, windowStart, rng.int(15, 30))) {
    const joinAt = rng.uniform(windowStart, Math.max(windowStart + MINUTE, windowEnd));
    const stay = rng.uniform(3.5, 8) * MINUTE;
    const session = stream.watch(account, joinAt, joinAt + stay);
    if (!session) continue;
    const orderAt = session.joinAt + rng.uniform(3 * MINUTE, Math.max(3 * MINUTE + SECOND, stay - 30 * SECOND));
    stream.order(account, orderAt, sku, sku.livePrice, 1, { paidAfter: rng.uniform(20, 60) * SECOND, refundAt: stream.endTs + rng.uniform(2, 6) * DAY });
    if (rng.chance(0.2)) stream.comment(account, rng.uniform(session.joinAt, orderAt), reaction(rng, locale));
    brushed.push(account.accountId);
  }
  return brushed;
}

/**
 * A kickback scheme run through the merchant's fan group: members buy the
 * hero item two or three at a time, pay in full, and a week later get most of
 * the money back as a "price adjustment", so every order stays completed in
 * the sales ranking while the money goes home.
 */
export function partialRefundKickback(ctx: RoomContext): string[] {
  const { rng, stream, locale } = ctx;
  const sku = heroSku(stream);
  const windowStart = pointInStream(stream, rng, 0.15, 0.5);
  const windowEnd = Math.min(stream.endTs - 3 * MINUTE, windowStart + 15 * MINUTE);
  const members = Array.from({ length: rng.int(10, 25) }, () => honestAccount(rng, ctx.ids, locale, stream.startTs));
  const kickback = rng.uniform(0.85, 0.95);
  const brushed: string[] = [];
  for (const account of members) {
    const joinAt = rng.uniform(windowStart - 5 * MINUTE, windowEnd - 2 * MINUTE);
    const session = stream.watch(account, joinAt, joinAt + rng.uniform(4, 20) * MINUTE);
    if (!session) continue;
    const quantity = rng.int(2, 3);
    const placedAt = rng.uniform(Math.max(session.joinAt, windowStart), Math.min(session.leaveAt, windowEnd));
    stream.order(account, placedAt, sku, sku.livePrice, quantity, {
      paidAfter: rng.uniform(20, 120) * SECOND,
      refundAt: stream.endTs + rng.uniform(3, 7) * DAY,
      refundAmount: Math.round(sku.livePrice * quantity * kickback),
    });
    if (rng.chance(0.3)) stream.comment(account, rng.uniform(session.joinAt, placedAt), reaction(rng, locale));
    brushed.push(account.accountId);
  }
  return brushed;
}
