import type { Locale } from '../catalog.js';
import type { Rng } from '../prng.js';
import {
  afterBuying,
  CELEBRITY_CHEERS,
  CLASS_CHECK_IN,
  FRIEND_HELLOS,
  GIVEAWAY_KEYWORDS,
  honestComment,
  OFFICE_CHEERS,
  reaction,
} from './chatter.js';
import type { HoSession, HoSku, HoStream, Segment } from './stream.js';
import { campusEgress, carrierNat, DAY, homeBroadband, honestAccount, HOUR, MINUTE, SECOND, tabletDevice, type HoAccount, type HoIds } from './world.js';

/** What every room-level routine needs. */
export interface RoomContext {
  rng: Rng;
  ids: HoIds;
  stream: HoStream;
  locale: Locale;
  /** Honest people who watch several rooms tonight. */
  regulars: HoAccount[];
  /** Share of kept orders that come back; apparel runs high. */
  refundRate: number;
  /** Share of orders paid after the stream (pay-later credit settles late). */
  payLaterShare: number;
}

export interface AudienceProfile {
  peakConcurrent: number;
  /** Median minutes a viewer stays. */
  sessionMedianMin: number;
}

/** Honest orders paid, left unpaid or refunded the way real buyers do. */
export function honestBuy(ctx: RoomContext, account: HoAccount, at: number, sku: HoSku, unitPrice: number, quantity: number, options: { mustPay?: boolean; keep?: boolean } = {}): void {
  const { rng, stream } = ctx;
  let paidAfter: number | null = Math.min(15 * MINUTE, rng.lognormal(30 * SECOND, 0.8));
  if (!options.mustPay && rng.chance(0.06)) paidAfter = null;
  else if (rng.chance(ctx.payLaterShare)) paidAfter = Math.max(paidAfter, stream.endTs - at + rng.uniform(2 * MINUTE, 50 * MINUTE));
  let refundAt: number | null = null;
  let refundAmount: number | undefined;
  if (paidAfter !== null && !options.keep && rng.chance(ctx.refundRate)) {
    refundAt = stream.endTs + rng.uniform(0.3, 10) * DAY;
    // Price protection and a damaged item in a bundle give partial refunds.
    if (rng.chance(0.15)) refundAmount = Math.round(unitPrice * quantity * rng.uniform(0.2, 0.7));
  }
  stream.order(account, at, sku, unitPrice, quantity, { paidAfter, refundAt, refundAmount });
}

function honestQuantity(rng: Rng): number {
  const roll = rng.next();
  return roll < 0.8 ? 1 : roll < 0.95 ? 2 : rng.int(3, 5);
}

function productNumber(stream: HoStream, sku: HoSku): number {
  return stream.setup.skus.indexOf(sku) + 1;
}

/** Chat, taps and the occasional purchase of one honest viewing session. */
export function honestActivity(ctx: RoomContext, session: HoSession): void {
  const { rng, stream, locale } = ctx;
  const { account, joinAt } = session;
  const leaveAt = Math.min(session.leaveAt, stream.endTs);
  const minutesIn = (leaveAt - joinAt) / MINUTE;
  if (minutesIn <= 0) return;
  const comments = rng.poisson(account.chattiness * minutesIn * 0.9);
  for (let i = 0; i < comments; i++) {
    const at = rng.uniform(joinAt, leaveAt);
    stream.comment(account, at, honestComment(rng, locale, productNumber(stream, stream.segmentAt(at).sku)));
  }
  // Taps come in bursts when something happens on screen, not at a steady rate.
  const bursts = rng.poisson((account.tapRate * minutesIn) / 8);
  for (let i = 0; i < bursts; i++) stream.like(account, rng.uniform(joinAt, leaveAt), rng.lognormal(6, 0.9));
  const segmentsSeen = stream.setup.segments.filter((segment) => segment.to > joinAt && segment.from < leaveAt);
  for (const segment of segmentsSeen) {
    if (!rng.chance(account.buyingMood * 0.5)) continue;
    const from = Math.max(segment.from, joinAt);
    const to = Math.min(segment.to, leaveAt);
    const at = rng.uniform(from, to);
    if (stream.lockedAt(at)) continue;
    honestBuy(ctx, account, at, segment.sku, segment.sku.livePrice, honestQuantity(rng));
    if (rng.chance(account.chattiness)) stream.comment(account, Math.min(to, at + rng.uniform(3, 40) * SECOND), afterBuying(rng, locale));
  }
}

/** Who walks in: a regular of the evening or someone new, honest either way. */
function arrival(ctx: RoomContext, joinAt: number, leaveAt: number): HoSession | null {
  const { rng, stream } = ctx;
  if (ctx.regulars.length > 0 && rng.chance(0.22)) {
    const session = stream.watch(rng.pick(ctx.regulars), joinAt, leaveAt);
    if (session) return session;
  }
  return stream.watch(honestAccount(rng, ctx.ids, ctx.locale, stream.startTs), joinAt, leaveAt);
}

/**
 * Arrivals as an inhomogeneous Poisson process: a ramp while the feed
 * recommends the new stream, a bump each time the host switches product, a
 * tail-off late. Concurrency then settles near `peakConcurrent`.
 */
export function honestAudience(ctx: RoomContext, profile: AudienceProfile): HoSession[] {
  const { rng, stream } = ctx;
  const sigma = 1.0;
  const meanStayMin = profile.sessionMedianMin * Math.exp((sigma * sigma) / 2);
  const sessions: HoSession[] = [];
  const slotMs = 10 * SECOND;
  const total = stream.endTs - stream.startTs;
  const switches = stream.setup.segments.map((segment) => segment.from);
  for (let t = stream.startTs; t < stream.endTs - 30 * SECOND; t += slotMs) {
    const progress = (t - stream.startTs) / total;
    const ramp = Math.min(1, 0.25 + ((t - stream.startTs) / (8 * MINUTE)) * 0.75);
    const late = progress > 0.8 ? 1 - (progress - 0.8) * 2 : 1;
    const bump = switches.some((from) => t >= from && t < from + 2 * MINUTE) ? 1.25 : 1;
    const perMinute = (profile.peakConcurrent * ramp * late * bump) / meanStayMin;
    const count = rng.poisson((perMinute * slotMs) / MINUTE);
    for (let i = 0; i < count; i++) {
      const joinAt = t + rng.uniform(0, slotMs);
      const stay = Math.max(8 * SECOND, rng.lognormal(profile.sessionMedianMin * MINUTE, sigma));
      const session = arrival(ctx, joinAt, joinAt + stay);
      if (session) sessions.push(session);
    }
  }
  return sessions;
}

/**
 * Buyers present at a flash-sale countdown grab within seconds; stock runs
 * out and the rest are left with placed orders that expire unpaid.
 */
export function flashRush(ctx: RoomContext, segment: Segment, candidates: readonly HoSession[], share: number, spreadMs: number): void {
  const { rng, stream } = ctx;
  const flash = segment.flash;
  if (!flash) return;
  const present = candidates.filter((session) => session.joinAt < flash.at && session.leaveAt > flash.at + 30 * SECOND);
  const grabbers = present.filter(() => rng.chance(share));
  const attempts = grabbers.map((session) => ({ session, at: flash.at + rng.exponential(spreadMs) })).sort((a, b) => a.at - b.at);
  attempts.forEach(({ session, at }, index) => {
    const quantity = rng.chance(0.9) ? 1 : 2;
    if (index < flash.stock) honestBuy(ctx, session.account, at, segment.sku, flash.price, quantity, { mustPay: true });
    else stream.order(session.account, at, segment.sku, flash.price, quantity, { paidAfter: null });
    if (rng.chance(0.3)) stream.comment(session.account, at + rng.uniform(2, 20) * SECOND, afterBuying(rng, ctx.locale));
  });
}

// ------------------------------------------------------------ honest traps

/** Honest situations a naive detector flags; each writes its own traffic into the room. */
export const HONEST_TRAPS = [
  'ho_keyword_giveaway',
  'ho_celebrity_dropin',
  'ho_campus_class',
  'ho_family_tablet',
  'ho_office_launch',
  'ho_flash_stampede',
  'ho_fashion_returns',
  'ho_paid_later_claim',
  'ho_shared_link_friends',
  'ho_round_up_claim',
  'ho_growth_campaign',
  'ho_host_poll',
] as const;
export type HonestTrap = (typeof HONEST_TRAPS)[number];

function pointInStream(ctx: RoomContext, fromShare: number, toShare: number): number {
  const { stream, rng } = ctx;
  return stream.startTs + (stream.endTs - stream.startTs) * rng.uniform(fromShare, toShare);
}

/**
 * The host runs a lucky-bag draw: type the keyword to enter, stay until the
 * draw. Most of the room types the same words within two minutes, the feed
 * sends a wave of prize hunters, and they leave together right after the draw.
 */
export function keywordGiveaway(ctx: RoomContext, audience: readonly HoSession[]): HoSession[] {
  const { rng, stream, locale } = ctx;
  const announce = pointInStream(ctx, 0.2, 0.6);
  const draw = announce + rng.int(5, 10) * MINUTE;
  const keyword = rng.pick(GIVEAWAY_KEYWORDS[locale]);
  const hunters: HoSession[] = [];
  const wave = rng.int(60, 160);
  for (let i = 0; i < wave; i++) {
    const joinAt = announce + rng.exponential(70 * SECOND);
    const session = stream.watch(honestAccount(rng, ctx.ids, locale, stream.startTs), joinAt, draw + rng.exponential(40 * SECOND));
    if (session) hunters.push(session);
  }
  for (const session of [...audience, ...hunters]) {
    if (session.joinAt > draw || session.leaveAt < announce + 20 * SECOND) continue;
    if (!rng.chance(0.65)) continue;
    const from = Math.max(announce, session.joinAt);
    const entries = rng.chance(0.25) ? rng.int(2, 4) : 1;
    for (let i = 0; i < entries; i++) stream.comment(session.account, Math.min(draw - SECOND, from + rng.exponential(45 * SECOND) + i * rng.uniform(5, 40) * SECOND), keyword);
  }
  for (const session of hunters) if (rng.chance(0.2)) stream.like(session.account, rng.uniform(session.joinAt, session.leaveAt), rng.lognormal(10, 0.7));
  return hunters;
}

/** A celebrity guest walks on: the audience triples within a minute, all of them real fans. */
export function celebrityDropIn(ctx: RoomContext, profile: AudienceProfile): HoSession[] {
  const { rng, stream, locale } = ctx;
  const at = pointInStream(ctx, 0.3, 0.7);
  const fans: HoSession[] = [];
  const count = Math.round(profile.peakConcurrent * rng.uniform(1.8, 2.6));
  for (let i = 0; i < count; i++) {
    const joinAt = at + rng.exponential(25 * SECOND);
    const account = honestAccount(rng, ctx.ids, locale, stream.startTs);
    // Push notifications wake up dormant accounts and bring first-time viewers.
    if (rng.chance(0.1)) account.createdAt = Math.round(stream.startTs - rng.uniform(0.01, 20) * DAY);
    const session = stream.watch(account, joinAt, joinAt + rng.lognormal(7 * MINUTE, 0.7));
    if (!session) continue;
    fans.push(session);
    if (rng.chance(0.35)) stream.comment(account, joinAt + rng.exponential(50 * SECOND), rng.pick(CELEBRITY_CHEERS[locale]));
    if (rng.chance(0.5)) stream.like(account, joinAt + rng.exponential(90 * SECOND), rng.lognormal(15, 0.8));
  }
  return fans;
}

/**
 * A marketing class watches as an assignment: one campus egress, many
 * accounts opened for the course this week, joined within a minute of the
 * teacher's link, silent apart from a roll-call word, gone when class ends.
 */
export function campusClass(ctx: RoomContext): HoSession[] {
  const { rng, stream, locale } = ctx;
  const egress = campusEgress(rng);
  const start = pointInStream(ctx, 0.05, 0.4);
  const classEnd = start + rng.int(35, 50) * MINUTE;
  const students: HoSession[] = [];
  const size = rng.int(25, 48);
  for (let i = 0; i < size; i++) {
    const createdAt = rng.chance(0.55) ? Math.round(start - rng.uniform(0.05, 4) * DAY) : Math.round(start - rng.uniform(200, 1500) * DAY);
    const account = honestAccount(rng, ctx.ids, locale, stream.startTs, { createdAt, ip: rng.pick(egress), network: 'campus' });
    const joinAt = start + rng.exponential(35 * SECOND);
    const session = stream.watch(account, joinAt, classEnd + rng.exponential(40 * SECOND));
    if (!session) continue;
    students.push(session);
    if (rng.chance(0.4)) stream.comment(account, joinAt + rng.uniform(5, 120) * SECOND, rng.pick(CLASS_CHECK_IN[locale]));
    if (rng.chance(0.1)) stream.comment(account, rng.uniform(joinAt, Math.min(classEnd, stream.endTs)), reaction(rng, locale));
  }
  return students;
}

/**
 * A family on one home wifi and one delivery address: grandparents take
 * turns on the shared tablet, the parents watch on their phones, and several
 * of them buy, shipped to the same flat.
 */
export function familyTablet(ctx: RoomContext): HoSession[] {
  const { rng, stream, locale } = ctx;
  const ip = homeBroadband(rng, locale);
  const addressHash = ctx.ids.address();
  const tablet = { deviceId: ctx.ids.device(), device: tabletDevice(rng) };
  const sessions: HoSession[] = [];
  const onTablet = Array.from({ length: rng.int(2, 4) }, () => honestAccount(rng, ctx.ids, locale, stream.startTs, { ip, network: 'home', addressHash, ...tablet }));
  let turn = pointInStream(ctx, 0.02, 0.3);
  for (const account of onTablet) {
    const stay = rng.uniform(6, 20) * MINUTE;
    const session = stream.watch(account, turn, turn + stay);
    turn += stay + rng.uniform(10, 90) * SECOND;
    if (session) sessions.push(session);
  }
  const phones = Array.from({ length: rng.int(1, 3) }, () => honestAccount(rng, ctx.ids, locale, stream.startTs, { ip, network: 'home', addressHash }));
  for (const account of phones) {
    const joinAt = pointInStream(ctx, 0.05, 0.5);
    const session = stream.watch(account, joinAt, joinAt + rng.uniform(10, 40) * MINUTE);
    if (session) sessions.push(session);
  }
  for (const session of sessions) {
    const to = Math.min(session.leaveAt, stream.endTs - SECOND);
    if (to <= session.joinAt) continue;
    if (rng.chance(0.6)) {
      const at = rng.uniform(session.joinAt, to);
      const sku = stream.segmentAt(at).sku;
      honestBuy(ctx, session.account, at, sku, sku.livePrice, honestQuantity(rng));
    }
    if (rng.chance(0.5)) stream.comment(session.account, rng.uniform(session.joinAt, to), honestComment(rng, locale, 1));
  }
  return sessions;
}

/**
 * The brand's own staff watch their launch stream from the office: one or
 * two NAT addresses, all joined in the first minutes, cheering with the same
 * few lines, tapping a lot; a few buy the new product and keep it.
 */
export function officeLaunch(ctx: RoomContext): HoSession[] {
  const { rng, stream, locale } = ctx;
  const office = [homeBroadband(rng, locale), homeBroadband(rng, locale)];
  const staff: HoSession[] = [];
  const size = rng.int(30, 70);
  for (let i = 0; i < size; i++) {
    const account = honestAccount(rng, ctx.ids, locale, stream.startTs, { ip: rng.chance(0.8) ? (office[0] as string) : (office[1] as string), network: 'office' });
    const joinAt = stream.startTs + rng.exponential(2 * MINUTE);
    const session = stream.watch(account, joinAt, joinAt + rng.uniform(15, 60) * MINUTE);
    if (!session) continue;
    staff.push(session);
    const to = Math.min(session.leaveAt, stream.endTs - SECOND);
    const cheers = rng.chance(0.6) ? rng.int(1, 3) : 0;
    for (let c = 0; c < cheers; c++) stream.comment(account, rng.uniform(joinAt, Math.min(to, joinAt + 10 * MINUTE)), rng.pick(OFFICE_CHEERS[locale]));
    const taps = rng.int(2, 8);
    for (let t = 0; t < taps; t++) stream.like(account, rng.uniform(joinAt, to), rng.lognormal(20, 0.6));
    if (rng.chance(0.12)) {
      const sku = stream.setup.segments[0]?.sku ?? (stream.setup.skus[0] as HoSku);
      honestBuy(ctx, account, rng.uniform(joinAt, to), sku, sku.livePrice, 1, { keep: true, mustPay: true });
    }
  }
  return staff;
}

/**
 * A genuine flash-sale stampede: a pre-announced deal pulls in hundreds of
 * deal hunters in the minutes before, and they all hit the button in the
 * opening seconds; stock goes in a blink and most placed orders expire.
 */
export function flashStampede(ctx: RoomContext, audience: readonly HoSession[]): HoSession[] {
  const { rng, stream, locale } = ctx;
  const segment = stream.setup.segments.find((candidate) => candidate.flash !== null);
  if (!segment?.flash) return [];
  const flash = segment.flash;
  flash.stock = rng.int(60, 180);
  const hunters: HoSession[] = [];
  const size = rng.int(150, 380);
  for (let i = 0; i < size; i++) {
    const account = honestAccount(rng, ctx.ids, locale, stream.startTs);
    // Deal groups sign people up for the platform's new-user price.
    if (rng.chance(0.12)) account.createdAt = Math.round(flash.at - rng.uniform(0.02, 3) * DAY);
    const joinAt = flash.at - rng.exponential(3 * MINUTE) - 5 * SECOND;
    const session = stream.watch(account, joinAt, flash.at + rng.lognormal(3 * MINUTE, 0.8));
    if (session) hunters.push(session);
  }
  flashRush(ctx, segment, [...audience, ...hunters], 0.85, 1_200);
  return hunters;
}

/**
 * Friends from a group chat click the same shared link: a handful join within
 * seconds from one city's carrier NAT, say hello alike, and some order the
 * same item to the same dorm, keeping it.
 */
export function sharedLinkFriends(ctx: RoomContext): HoSession[] {
  const { rng, stream, locale } = ctx;
  const at = pointInStream(ctx, 0.1, 0.7);
  const dorm = ctx.ids.address();
  const cityNat = carrierNat(rng, locale).split('.').slice(0, 3).join('.');
  const friends: HoSession[] = [];
  const size = rng.int(5, 11);
  for (let i = 0; i < size; i++) {
    const account = honestAccount(rng, ctx.ids, locale, stream.startTs, { ip: `${cityNat}.${rng.int(1, 60)}`, network: 'mobile', addressHash: rng.chance(0.6) ? dorm : undefined });
    const joinAt = at + rng.exponential(12 * SECOND);
    const session = stream.watch(account, joinAt, joinAt + rng.uniform(5, 30) * MINUTE);
    if (!session) continue;
    friends.push(session);
    if (rng.chance(0.7)) stream.comment(account, joinAt + rng.uniform(3, 60) * SECOND, rng.pick(FRIEND_HELLOS[locale]));
  }
  const sku = stream.segmentAt(at).sku;
  for (const session of friends) {
    if (!rng.chance(0.4)) continue;
    const to = Math.min(session.leaveAt, stream.endTs - SECOND);
    if (to > session.joinAt) honestBuy(ctx, session.account, rng.uniform(session.joinAt, to), sku, sku.livePrice, 1, { keep: true, mustPay: true });
  }
  return friends;
}

/**
 * The platform's new-user campaign pays a coupon for watching a partner room
 * for a minute: a couple of hundred accounts opened in the last hours arrive
 * over a quarter hour, watch silently just past the minute, and go.
 */
export function growthCampaign(ctx: RoomContext): HoSession[] {
  const { rng, stream, locale } = ctx;
  const start = pointInStream(ctx, 0.1, 0.6);
  const spread = rng.int(10, 25) * MINUTE;
  const newcomers: HoSession[] = [];
  const size = rng.int(100, 300);
  for (let i = 0; i < size; i++) {
    // The push goes out at once and opens taper off.
    const joinAt = start + spread * Math.pow(rng.next(), 1.6);
    const account = honestAccount(rng, ctx.ids, locale, stream.startTs, { createdAt: Math.round(joinAt - rng.uniform(2 * MINUTE, 6 * HOUR)) });
    const stay = rng.chance(0.15) ? rng.lognormal(5 * MINUTE, 0.6) : rng.uniform(62, 150) * SECOND;
    const session = stream.watch(account, joinAt, joinAt + stay);
    if (!session) continue;
    newcomers.push(session);
    if (rng.chance(0.05)) stream.like(account, joinAt + rng.uniform(5, 50) * SECOND, rng.int(1, 5));
  }
  return newcomers;
}

/**
 * The host asks the room to vote by typing a digit ("black, type 1; white,
 * type 2"): most of those present answer within half a minute, the same
 * one-character comment hundreds of times.
 */
export function hostPoll(ctx: RoomContext, audience: readonly HoSession[]): void {
  const { rng, stream } = ctx;
  const polls = rng.int(2, 4);
  for (let p = 0; p < polls; p++) {
    const asked = pointInStream(ctx, 0.1, 0.9);
    const share = rng.uniform(0.5, 0.8);
    for (const session of audience) {
      if (session.joinAt > asked || session.leaveAt < asked + 10 * SECOND || !rng.chance(share)) continue;
      const digit = rng.chance(0.6) ? '1' : '2';
      const text = rng.chance(0.8) ? digit : digit.repeat(rng.int(2, 6));
      stream.comment(session.account, Math.min(session.leaveAt, stream.endTs, asked + rng.exponential(8 * SECOND)), text);
    }
  }
}

/** The hours a room's published claim may wait after the stream. */
export const CLAIM_DELAY_MS = { min: 2 * MINUTE, max: 1 * HOUR } as const;

/**
 * Fashion buyers order the same dress in two or three sizes and send back
 * all but the one that fits, days after the stream.
 */
export function sizeBracketing(ctx: RoomContext, audience: readonly HoSession[]): void {
  const { rng, stream } = ctx;
  const buyers = rng.sample(
    audience.filter((session) => Math.min(session.leaveAt, stream.endTs) - session.joinAt > 2 * MINUTE),
    rng.int(6, 18),
  );
  for (const session of buyers) {
    const at = rng.uniform(session.joinAt, Math.min(session.leaveAt, stream.endTs) - 30 * SECOND);
    const sku = stream.segmentAt(at).sku;
    const sizes = rng.int(2, 3);
    const kept = rng.int(0, sizes - 1);
    for (let size = 0; size < sizes; size++) {
      stream.order(session.account, at + size * rng.uniform(5, 40) * SECOND, sku, sku.livePrice, 1, {
        paidAfter: rng.uniform(20, 120) * SECOND,
        refundAt: size === kept ? null : stream.endTs + rng.uniform(3, 12) * DAY,
      });
    }
  }
}
