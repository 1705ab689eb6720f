import type { OrganicPopulation, SimAccount } from './accounts.js';
import {
  broadbandIp,
  carrierNatIp,
  CATEGORY_REFUND_RATE,
  CHANT_TEXTS,
  FAN_REACTIONS,
  GIVEAWAY_KEYWORDS,
  LUCKY_BAG_PHRASES,
  ORGANIC_REACTIONS,
  SURGE_REACTIONS,
  type Category,
  type Locale,
  type Sku,
} from './catalog.js';
import { cheerWave, copiedComment, giveawayKeyword, MULTILINGUAL_REACTIONS, repeatedQuestions } from './organic-chat.js';
import type { Rng } from './prng.js';
import type { RoomBuilder, ViewerSession } from './room.js';

const SECOND = 1_000;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** The honest moments a room has; each one is a trap a naive detector falls into. */
export interface OrganicTraps {
  viralSurge: boolean;
  chants: number;
  luckyBag: boolean;
  flashSales: number;
  /** A push or ads wave of brand-new, silent, real viewers. */
  growthCampaign: boolean;
  /** The merchant's colleagues watching the company stream from the office NAT. */
  officeWifi: boolean;
  /** Students behind the campus network's few addresses. */
  campusNetwork: boolean;
  /** Families of two to four watching on one home wifi (sometimes one tablet). */
  households: number;
  /** Unrelated mobile viewers sharing one carrier-NAT /24 and a handful of addresses. */
  carrierNat: boolean;
  /** Real people asking the room's common question, some of them twice. */
  repeatedQuestions: boolean;
  /** Popular comments fans copy (how many). */
  copiedComments: number;
  /** A giveaway everyone enters by typing one keyword once. */
  giveawayKeyword: boolean;
  /** Cheers chanted in waves (how many). */
  cheers: number;
  /** Viewers writing in many languages and scripts. */
  multilingual: boolean;
  /** A celebrity guest drops in and a wave of their fans follows, the same fans in every room the guest visits tonight. */
  celebrityDropIn: boolean;
  /** A giveaway's share link brings freshly registered accounts that type its keyword once and leave after the draw. */
  giveawaySignups: boolean;
}

/** The room's honest chat moments (see `organic-chat.ts`). */
export interface ChatMoments {
  repeatedQuestions: boolean;
  copiedAt: number[];
  giveawayAt: number | null;
  cheerAt: number[];
  /** Share of comments written in another language. */
  multilingualShare: number;
}

export interface FlashSale {
  at: number;
  sku: Sku;
  flashPrice: number;
  stock: number;
}

export interface OrganicProfile {
  peakViewers: number;
  dwellMedianMs: number;
  surge: { at: number; durationMs: number; factor: number } | null;
  chantTimes: number[];
  luckyBag: { at: number; phrase: string; windowMs: number } | null;
  flashSales: FlashSale[];
  /** Share of sessions that place a regular order. */
  conversion: number;
  refundRate: number;
  crowds: HonestCrowds;
  chat: ChatMoments;
  /** The guest's visit: when, how long, and which of the evening's fan clubs follows (an index into `Audience.fanClubs`). */
  celebrity: { at: number; staysMs: number; club: number } | null;
  /** The sign-up draw: announced at `at`, entries close and the winner is drawn `windowMs` later; `newcomers` sign up to enter. */
  signups: { at: number; keyword: string; windowMs: number; newcomers: number } | null;
}

/** Groups of real viewers that share a network or arrive together for honest reasons. */
export interface HonestCrowds {
  growthCampaign: { at: number; size: number; decayMs: number } | null;
  office: { size: number } | null;
  campus: { size: number } | null;
  households: number;
  carrierNat: { size: number } | null;
  /** Who turned out, filled while the audience is drawn (no draws of its own): the office's colleagues, each household's members. */
  turnedOut: { office: SimAccount[]; households: SimAccount[][] };
}

/** Where real viewers come from: people who watch several rooms tonight, fans who follow a celebrity, and everyone else. */
export interface Audience {
  population: OrganicPopulation;
  regulars: SimAccount[];
  /** Each celebrity's fans: real people on their own phones and networks, following the guest from room to room. */
  fanClubs: readonly SimAccount[][];
}

export function planOrganicProfile(rng: Rng, room: RoomBuilder, traps: OrganicTraps, audienceScale: number): OrganicProfile {
  const { startTs, endTs } = room;
  const duration = endTs - startTs;
  const at = (from: number, to: number): number => Math.round(startTs + duration * rng.uniform(from, to));
  let peakViewers = Math.min(700, Math.max(30, rng.lognormal(55, 0.6)));
  // A lucky bag only draws hundreds of entries in a room that has hundreds of viewers.
  if (traps.luckyBag) peakViewers = Math.max(peakViewers, rng.uniform(280, 380));
  const [refundLow, refundHigh] = CATEGORY_REFUND_RATE[room.setup.category];
  const flashSales: FlashSale[] = [];
  for (let i = 0; i < traps.flashSales; i++) {
    const sku = rng.pick(room.setup.skus);
    const flashPrice = Math.max(90, Math.round((sku.listPrice * rng.uniform(0.1, 0.4)) / 100) * 100 - 10);
    flashSales.push({ at: at(0.2 + 0.6 * (i / traps.flashSales), 0.25 + 0.6 * (i / traps.flashSales)), sku, flashPrice, stock: rng.int(40, 250) });
  }
  return {
    peakViewers: Math.round(peakViewers * audienceScale),
    dwellMedianMs: rng.uniform(70, 130) * SECOND,
    surge: traps.viralSurge ? { at: at(0.3, 0.6), durationMs: rng.uniform(3, 6) * MINUTE, factor: rng.uniform(4, 7) } : null,
    chantTimes: Array.from({ length: traps.chants }, () => at(0.1, 0.9)).sort((a, b) => a - b),
    luckyBag: traps.luckyBag
      ? { at: at(0.35, 0.75), phrase: rng.pick(LUCKY_BAG_PHRASES[room.setup.locale]), windowMs: rng.uniform(90, 150) * SECOND }
      : null,
    flashSales,
    conversion: rng.uniform(0.015, 0.045),
    refundRate: rng.uniform(refundLow, refundHigh),
    crowds: {
      growthCampaign: traps.growthCampaign
        ? { at: at(0.15, 0.65), size: Math.round(Math.max(40, peakViewers * rng.uniform(0.8, 2)) * audienceScale), decayMs: rng.uniform(1.5, 4) * MINUTE }
        : null,
      office: traps.officeWifi ? { size: rng.int(20, 60) } : null,
      campus: traps.campusNetwork ? { size: Math.round(rng.int(40, 120) * Math.max(0.5, audienceScale)) } : null,
      households: traps.households,
      carrierNat: traps.carrierNat ? { size: rng.int(30, 80) } : null,
      turnedOut: { office: [], households: [] },
    },
    chat: {
      repeatedQuestions: traps.repeatedQuestions,
      copiedAt: Array.from({ length: traps.copiedComments }, () => at(0.1, 0.9)).sort((a, b) => a - b),
      giveawayAt: traps.giveawayKeyword ? at(0.3, 0.8) : null,
      cheerAt: Array.from({ length: traps.cheers }, () => at(0.1, 0.9)).sort((a, b) => a - b),
      multilingualShare: traps.multilingual ? rng.uniform(0.2, 0.5) : 0,
    },
    celebrity: traps.celebrityDropIn ? { at: at(0.15, 0.6), staysMs: rng.uniform(8, 25) * MINUTE, club: rng.int(0, 1_000) } : null,
    signups: traps.giveawaySignups
      ? { at: at(0.2, 0.7), keyword: rng.pick(GIVEAWAY_KEYWORDS[room.setup.locale]), windowMs: rng.uniform(1, 3) * MINUTE, newcomers: Math.round(rng.uniform(30, 150) * audienceScale) }
      : null,
  };
}

/** Draws the honest audience of one stream (arrivals, dwell, chat, likes, orders) and returns its sessions. */
export function simulateAudience(room: RoomBuilder, audience: Audience, profile: OrganicProfile): ViewerSession[] {
  const sessions: ViewerSession[] = [];
  const rng = room.rng;
  const locale = room.setup.locale;
  const { startTs, endTs } = room;
  const duration = endTs - startTs;
  // Lognormal dwell with sigma 1.25 has mean = median * e^(sigma^2/2); Little's law sets the arrival rate.
  const dwellSigma = 1.25;
  const meanDwellS = (profile.dwellMedianMs / SECOND) * Math.exp((dwellSigma * dwellSigma) / 2);
  const baseRate = profile.peakViewers / meanDwellS;
  let drift = 1;

  for (let t = startTs; t < endTs - 20 * SECOND; t += SECOND) {
    const progress = (t - startTs) / duration;
    drift = Math.min(1.4, Math.max(0.6, drift * (1 + rng.normal(0, 0.01))));
    let rate = baseRate * drift * shape(progress);
    const surging = profile.surge && t >= profile.surge.at && t < profile.surge.at + profile.surge.durationMs;
    if (surging && profile.surge) rate *= profile.surge.factor;
    const bag = profile.luckyBag;
    if (bag && t >= bag.at - 2 * MINUTE && t < bag.at + bag.windowMs) rate *= 1.5;
    const arrivals = rng.poisson(rate);
    for (let i = 0; i < arrivals; i++) {
      const joinAt = t + rng.int(0, SECOND - 1);
      const account = pickViewer(rng, room, audience, locale, joinAt, Boolean(surging));
      let dwell = Math.min(rng.lognormal(profile.dwellMedianMs, dwellSigma), 3 * HOUR);
      // Lucky-bag hopefuls stay until the draw.
      if (bag && joinAt < bag.at + bag.windowMs && joinAt + dwell < bag.at + bag.windowMs && joinAt > bag.at - 3 * MINUTE && rng.chance(0.8)) {
        dwell = bag.at + bag.windowMs - joinAt + rng.exponential(40 * SECOND);
      }
      const session = room.watch(account, joinAt, joinAt + dwell);
      sessions.push(session);
      interact(room, session, profile, Boolean(surging));
    }
  }
  sessions.push(...honestCrowds(room, audience, profile));
  sessions.push(...celebrityFans(room, audience, profile));
  sessions.push(...giveawaySignups(room, audience, profile));
  return sessions;
}

/**
 * The guest's fans arrive in a wave within a minute or two of the guest,
 * cheer and tap like, and most leave when the guest does: a batch that
 * joins and leaves together, and the same accounts in every room the guest
 * visits tonight. Each is a person on their own phone and network.
 */
function celebrityFans(room: RoomBuilder, audience: Audience, profile: OrganicProfile): ViewerSession[] {
  const guest = profile.celebrity;
  if (!guest || audience.fanClubs.length === 0) return [];
  const rng = room.rng;
  const club = audience.fanClubs[guest.club % audience.fanClubs.length] ?? [];
  const leavesAt = guest.at + guest.staysMs;
  const sessions: ViewerSession[] = [];
  for (const fan of rng.sample(club, Math.round(club.length * rng.uniform(0.4, 0.8)))) {
    const joinAt = guest.at + Math.min(rng.lognormal(40 * SECOND, 0.7), 4 * MINUTE);
    if (!room.isFree(fan, joinAt) || joinAt > room.endTs - MINUTE) continue;
    const leaveAt = rng.chance(0.75) ? leavesAt + Math.min(rng.lognormal(45 * SECOND, 0.8), 5 * MINUTE) : leavesAt + rng.uniform(2, 20) * MINUTE;
    const session = room.watch(fan, joinAt, leaveAt);
    sessions.push(session);
    const until = Math.min(session.leaveAt, room.endTs, leavesAt);
    // Fans came for the guest: most tap like, many type, a few only watch.
    if (rng.chance(0.7)) for (let i = 0, n = rng.int(1, 8); i < n; i++) room.like(fan, rng.uniform(joinAt + 2 * SECOND, Math.max(joinAt + 3 * SECOND, until)), rng.int(1, 40));
    if (rng.chance(0.55)) for (let i = 0, n = rng.int(1, 5); i < n; i++) room.comment(fan, rng.uniform(joinAt + 2 * SECOND, Math.max(joinAt + 3 * SECOND, until)), rng.pick(FAN_REACTIONS[room.setup.locale]));
  }
  return sessions;
}

/**
 * People who registered minutes ago through the giveaway's share link: each
 * on their own phone and network, arriving over the entry window, typing the
 * keyword once (a few twice) and nothing else, and leaving once the winner
 * is drawn. Brand-new, co-created, joining and leaving together, one word
 * each: everything but one operator.
 */
function giveawaySignups(room: RoomBuilder, audience: Audience, profile: OrganicProfile): ViewerSession[] {
  const draw = profile.signups;
  if (!draw) return [];
  const rng = room.rng;
  const closesAt = draw.at + draw.windowMs;
  const sessions: ViewerSession[] = [];
  for (let i = 0; i < draw.newcomers; i++) {
    const joinAt = draw.at + Math.min(rng.exponential(draw.windowMs / 3), draw.windowMs - 2 * SECOND);
    if (joinAt > room.endTs - MINUTE) continue;
    const account = audience.population.create(room.setup.locale);
    account.createdAt = Math.round(joinAt - rng.uniform(2 * MINUTE, 3 * HOUR));
    account.engagement = 0;
    const leaveAt = rng.chance(0.8) ? closesAt + Math.min(rng.lognormal(30 * SECOND, 0.8), 4 * MINUTE) : closesAt + rng.uniform(2, 15) * MINUTE;
    const session = room.watch(account, joinAt, leaveAt);
    sessions.push(session);
    if (rng.chance(0.9)) {
      const typedAt = Math.min(closesAt - 500, joinAt + rng.lognormal(8 * SECOND, 0.7));
      room.comment(account, typedAt, draw.keyword);
      if (rng.chance(0.15)) room.comment(account, Math.min(closesAt - 200, typedAt + rng.uniform(3, 30) * SECOND), draw.keyword);
    }
  }
  return sessions;
}

/** A /24 of the given address, and `count` addresses in it. */
function addressesIn(ip: string, count: number, rng: Rng): string[] {
  const subnet = ip.split('.').slice(0, 3).join('.');
  return Array.from({ length: count }, () => `${subnet}.${rng.int(2, 253)}`);
}

/**
 * The honest crowds that look like a farm to a naive detector: many
 * accounts on one network, or many new accounts at once. Each member is
 * still a person with their own phone, age and habits.
 */
function honestCrowds(room: RoomBuilder, audience: Audience, profile: OrganicProfile): ViewerSession[] {
  const rng = room.rng;
  const locale = room.setup.locale;
  const { startTs, endTs } = room;
  const crowds = profile.crowds;
  const sessions: ViewerSession[] = [];
  const randomJoin = (): number => rng.uniform(startTs, endTs - MINUTE);
  const humanDwell = (): number => Math.min(rng.lognormal(profile.dwellMedianMs * 2, 1), 2 * HOUR);
  const join = (account: SimAccount, joinAt: number, leaveAt: number, interactive = true): void => {
    if (!room.isFree(account, joinAt)) return;
    const session = room.watch(account, joinAt, leaveAt);
    sessions.push(session);
    if (interactive) interact(room, session, profile, false);
  };

  const growth = crowds.growthCampaign;
  if (growth) {
    // People tapping a push notification or an ad: brand-new accounts, arriving as the push lands, mostly just looking.
    for (let i = 0; i < growth.size; i++) {
      const joinAt = Math.min(endTs - 2 * SECOND, growth.at + rng.exponential(growth.decayMs));
      const account = audience.population.create(locale);
      account.createdAt = Math.round(joinAt - (rng.chance(0.6) ? rng.uniform(1, 30) * MINUTE : rng.uniform(0.5, 72) * HOUR));
      account.engagement = 0;
      join(account, joinAt, joinAt + Math.min(rng.lognormal(90 * SECOND, 1), HOUR), false);
    }
  }

  if (crowds.office) {
    // The boss posts the link in the team chat at the start; colleagues tune in within minutes and cheer.
    const egress = addressesIn(broadbandIp(rng, locale), rng.int(1, 4), rng);
    for (let i = 0; i < crowds.office.size; i++) {
      const account = audience.population.person(locale, { ip: rng.pick(egress), engagement: rng.uniform(0.05, 0.5) });
      crowds.turnedOut.office.push(account);
      const joinAt = startTs + Math.min(rng.lognormal(3 * MINUTE, 0.8), 30 * MINUTE);
      join(account, joinAt, rng.chance(0.4) ? endTs : joinAt + rng.uniform(15, 90) * MINUTE);
    }
  }

  if (crowds.campus) {
    const campusIps = [...addressesIn(broadbandIp(rng, locale), rng.int(3, 10), rng), ...(rng.chance(0.5) ? addressesIn(broadbandIp(rng, locale), rng.int(2, 6), rng) : [])];
    for (let i = 0; i < crowds.campus.size; i++) {
      // Students: accounts from a few weeks to four years old.
      const account = audience.population.person(locale, { ip: rng.pick(campusIps), createdAt: startTs - rng.uniform(20, 1400) * DAY });
      const joinAt = randomJoin();
      join(account, joinAt, joinAt + humanDwell());
    }
  }

  for (let family = 0; family < crowds.households; family++) {
    const ip = broadbandIp(rng, locale);
    const addressHash = audience.population.newAddress();
    const tablet = rng.chance(0.4) ? audience.population.sharedHardware(locale) : undefined;
    const members = Array.from({ length: rng.int(2, 4) }, (_, index) =>
      audience.population.person(locale, { ip, addressHash, hardware: tablet && index < 2 ? tablet : undefined }),
    );
    crowds.turnedOut.households.push(members);
    const sitDownAt = rng.uniform(startTs, endTs - 10 * MINUTE);
    const getUpAt = sitDownAt + rng.uniform(10, 60) * MINUTE;
    members.forEach((member, index) => {
      if (tablet && index === 1) {
        // The second account on the family tablet: someone else logs in after the first one is done.
        const first = sessions.find((session) => session.account.accountId === members[0]?.accountId);
        const joinAt = (first?.leaveAt ?? sitDownAt) + rng.uniform(5, 60) * SECOND;
        if (joinAt < endTs - MINUTE) join(member, joinAt, joinAt + humanDwell());
        return;
      }
      const joinAt = sitDownAt + rng.uniform(0, 3) * MINUTE;
      join(member, joinAt, rng.chance(0.6) ? getUpAt + rng.uniform(-2, 2) * MINUTE : joinAt + humanDwell());
    });
  }

  if (crowds.carrierNat) {
    // One carrier egress /24 in one city: strangers share a handful of addresses.
    const natIps = addressesIn(carrierNatIp(rng, locale), rng.int(3, 10), rng);
    for (let i = 0; i < crowds.carrierNat.size; i++) {
      const account = audience.population.person(locale, { ip: rng.pick(natIps) });
      const joinAt = randomJoin();
      join(account, joinAt, joinAt + humanDwell());
    }
  }
  return sessions;
}

/**
 * The room's honest moments, played by real viewers only. Run after the
 * attacks so a merchant team can grab flash-sale stock before the crowd.
 */
export function playOrganicMoments(room: RoomBuilder, sessions: readonly ViewerSession[], profile: OrganicProfile, population: OrganicPopulation): void {
  for (const chantAt of profile.chantTimes) chant(room, present(sessions, chantAt), chantAt);
  if (profile.luckyBag) luckyBagDraw(room, sessions, profile.luckyBag);
  if (profile.signups) signupDrawEntries(room, sessions, profile.signups);
  for (const flash of profile.flashSales) flashSaleRush(room, present(sessions, flash.at), flash);
  const chat = profile.chat;
  if (chat.repeatedQuestions) repeatedQuestions(room, sessions);
  for (const at of chat.copiedAt) copiedComment(room, sessions, at);
  if (chat.giveawayAt !== null) giveawayKeyword(room, sessions, population, chat.giveawayAt);
  for (const at of chat.cheerAt) cheerWave(room, sessions, at);
}

function present(sessions: readonly ViewerSession[], ts: number): ViewerSession[] {
  return sessions.filter((session) => session.joinAt <= ts && session.leaveAt > ts);
}

/** Ramp-up over the first minutes, a plateau, and a decay towards the end. */
function shape(progress: number): number {
  if (progress < 0.12) return 0.35 + (0.65 * progress) / 0.12;
  if (progress > 0.85) return Math.max(0.35, 1 - ((progress - 0.85) / 0.15) * 0.6);
  return 1;
}

function pickViewer(rng: Rng, room: RoomBuilder, audience: Audience, locale: Locale, ts: number, surge: boolean): SimAccount {
  if (!surge && audience.regulars.length > 0 && rng.chance(0.12)) {
    const regular = rng.pick(audience.regulars);
    if (room.isFree(regular, ts)) return regular;
  }
  return audience.population.create(locale, { newcomerBias: surge });
}

function interact(room: RoomBuilder, session: ViewerSession, profile: OrganicProfile, fromSurge: boolean): void {
  const rng = room.rng;
  const { account, joinAt } = session;
  const until = Math.min(session.leaveAt, room.endTs);
  const minutes = (until - joinAt) / MINUTE;
  // Surge arrivals came because the room looked exciting: more of them interact.
  const engagement = fromSurge ? Math.min(1, account.engagement + rng.uniform(0.1, 0.4)) : account.engagement;
  const during = (): number => rng.uniform(joinAt + 2 * SECOND, Math.max(joinAt + 3 * SECOND, until));

  if (rng.chance(Math.min(0.9, engagement * 1.5))) {
    const likeEvents = Math.min(30, rng.poisson(minutes * engagement * 1.5));
    for (let i = 0; i < likeEvents; i++) room.like(account, during(), Math.min(300, Math.floor(rng.pareto(1, 1.3))));
  }

  const comments = Math.min(25, rng.poisson(minutes * engagement * 0.7));
  // In a cross-border room some viewers write in their own language (every line of theirs).
  const foreign = profile.chat.multilingualShare > 0 && rng.chance(profile.chat.multilingualShare);
  const reactions = foreign ? MULTILINGUAL_REACTIONS : ORGANIC_REACTIONS[room.setup.locale];
  const times = Array.from({ length: comments }, during).sort((a, b) => a - b);
  let previous: string | null = null;
  for (const [index, ts] of times.entries()) {
    let text: string;
    if (index === 0 && fromSurge && !foreign && rng.chance(0.5)) text = rng.pick(SURGE_REACTIONS[room.setup.locale]);
    // People repeat themselves: "上链接" three times until the host listens.
    else if (previous !== null && rng.chance(0.25)) text = previous;
    else text = rng.pick(reactions);
    room.comment(account, ts, text);
    previous = text;
  }

  if (minutes > 0.5 && rng.chance(profile.conversion * (0.5 + 2 * engagement))) {
    const sku = rng.pick(room.setup.skus);
    const quantity = rng.weighted([[1, 80], [2, 15], [3, 5]] as const);
    placeHonestOrder(room, account, during(), sku, sku.livePrice, quantity, profile.refundRate, 0.08);
  }
}

/** An honest order: usually paid (some instantly, password-free), sometimes returned days later. */
export function placeHonestOrder(
  room: RoomBuilder,
  account: SimAccount,
  placedAt: number,
  sku: { skuId: string; listPrice: number },
  unitPrice: number,
  quantity: number,
  refundRate: number,
  unpaidRate: number,
): void {
  const rng = room.rng;
  let paidAt: number | null = null;
  if (!rng.chance(unpaidRate)) {
    paidAt = rng.chance(0.12) ? placedAt + rng.int(80, 900) : placedAt + Math.min(15 * MINUTE, rng.lognormal(20 * SECOND, 1));
  }
  let refundedAt: number | null = null;
  let refundAmount: number | undefined;
  if (paidAt !== null && rng.chance(refundRate)) {
    refundedAt = honestRefundAt(rng, paidAt, room.endTs, room.setup.category);
    // Returning one of two pieces refunds part of the order.
    if (quantity > 1 && rng.chance(0.4)) refundAmount = unitPrice * (quantity - 1);
  }
  room.order(account, placedAt, sku, unitPrice, quantity, { paidAt, refundedAt, refundAmount });
}

/** Honest returns are spread out: a few change their mind at once, most after the parcel arrives. */
function honestRefundAt(rng: Rng, paidAt: number, endTs: number, category: Category): number {
  // Wrong size or colour tapped: cancelled and refunded within seconds of paying.
  if (rng.chance(0.04)) return paidAt + rng.int(300, 3_000);
  if (rng.chance(0.12)) return paidAt + rng.uniform(2, 40) * MINUTE;
  const days = category === 'apparel' ? rng.uniform(1.5, 10) : Math.min(14, rng.lognormal(3, 0.6));
  return Math.max(paidAt, endTs) + days * DAY + rng.uniform(0, 12) * HOUR;
}

/** The host asks "want it? type 1" and a real crowd answers within seconds. */
function chant(room: RoomBuilder, crowd: readonly ViewerSession[], chantAt: number): void {
  const rng = room.rng;
  const share = rng.uniform(0.25, 0.5);
  for (const session of crowd) {
    if (!rng.chance(share * (0.5 + session.account.engagement))) continue;
    const ts = chantAt + Math.min(25 * SECOND, rng.lognormal(4 * SECOND, 0.6));
    if (ts >= session.leaveAt || ts >= room.endTs) continue;
    room.comment(session.account, ts, rng.weighted(CHANT_TEXTS[room.setup.locale]));
  }
}

/** Every entrant of a lucky bag types the same long phrase, each once, within the entry window. */
function luckyBagDraw(room: RoomBuilder, sessions: readonly ViewerSession[], bag: { at: number; phrase: string; windowMs: number }): void {
  const rng = room.rng;
  const share = rng.uniform(0.6, 0.85);
  const closesAt = bag.at + bag.windowMs;
  for (const session of sessions) {
    if (session.joinAt >= closesAt || session.leaveAt <= bag.at) continue;
    if (!rng.chance(share)) continue;
    const opensForThem = Math.max(bag.at, session.joinAt);
    const ts = opensForThem + Math.min(closesAt - opensForThem - 1, rng.lognormal(12 * SECOND, 1));
    if (ts >= session.leaveAt || ts >= room.endTs) continue;
    room.comment(session.account, ts, bag.phrase);
  }
}

/** Viewers already in the room when the sign-up draw's keyword is announced: some of them type it too. */
function signupDrawEntries(room: RoomBuilder, sessions: readonly ViewerSession[], draw: { at: number; keyword: string; windowMs: number }): void {
  const rng = room.rng;
  const share = rng.uniform(0.2, 0.5);
  for (const session of present(sessions, draw.at)) {
    if (session.account.engagement === 0 || !rng.chance(share * (0.5 + session.account.engagement))) continue;
    const ts = draw.at + Math.min(draw.windowMs - 1, rng.lognormal(10 * SECOND, 0.9));
    if (ts < session.leaveAt && ts < room.endTs) room.comment(session.account, ts, draw.keyword);
  }
}

/** A real flash-sale rush: present viewers tap "buy" within seconds; only the stock gets orders. */
function flashSaleRush(room: RoomBuilder, crowd: readonly ViewerSession[], flash: FlashSale): void {
  const rng = room.rng;
  const share = rng.uniform(0.12, 0.3);
  const attempts: { session: ViewerSession; ts: number }[] = [];
  for (const session of crowd) {
    if (!rng.chance(share * (0.6 + session.account.engagement))) continue;
    const ts = flash.at + rng.lognormal(2_500, 0.7);
    if (ts < session.leaveAt && ts < room.endTs) attempts.push({ session, ts });
  }
  attempts.sort((a, b) => a.ts - b.ts);
  // Stock the merchant's team already grabbed is gone before the crowd arrives.
  const grabbed = room.orders.filter((order) => order.skuId === flash.sku.skuId && order.unitPrice === flash.flashPrice);
  const alreadyOrdered = new Set(grabbed.map((order) => order.account.accountId));
  let sold = grabbed.length;
  for (const attempt of attempts) {
    if (sold >= flash.stock) break;
    if (alreadyOrdered.has(attempt.session.account.accountId)) continue;
    sold++;
    // Flash-sale stock is held for minutes; some grabbers never pay and the stock times out.
    placeHonestOrder(room, attempt.session.account, attempt.ts, flash.sku, flash.flashPrice, 1, 0.04, 0.15);
  }
}
