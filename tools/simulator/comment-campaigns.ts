import type { SimAccount } from './accounts.js';
import { disguise, otherLocale, PITCH_SPINTAX, POOL_SPINTAX, QUESTION_SPINTAX, randomDisguise, spin, type Disguise } from './comment-spinner.js';
import type { Locale } from './catalog.js';
import type { Rng } from './prng.js';
import type { RoomBuilder, ViewerSession } from './room.js';

/**
 * Comment campaigns that dodge the obvious tells: spun templates on jittered
 * timers, relay rings taking turns, pool rotation, slow drips below any
 * rate limit, and pools of hundreds of accounts posting once or twice. Each
 * returns the accounts that posted (the labelled ones).
 */

const SECOND = 1_000;
const MINUTE = 60_000;

/** A script's timer: period ± jitter (a fraction of the period), with a chance to skip a beat. */
interface Timer {
  periodMs: number;
  jitter: number;
  skip: number;
}

function ticks(rng: Rng, timer: Timer, from: number, until: number): number[] {
  const out: number[] = [];
  for (let tick = from; tick < until; tick += timer.periodMs) {
    if (rng.chance(timer.skip)) continue;
    const at = tick + rng.uniform(-timer.jitter, timer.jitter) * timer.periodMs;
    if (at > from - timer.periodMs && at < until) out.push(at);
  }
  return out;
}

function sessionFor(room: RoomBuilder, account: SimAccount, joinAt: number, leaveAt: number): ViewerSession {
  return room.sessions.find((session) => session.account.accountId === account.accountId) ?? room.watch(account, joinAt, leaveAt);
}

/** Fills one of the scripts and disguises it; a mixed-script campaign posts some lines in the other language. */
function line(rng: Rng, scripts: readonly string[], locale: Locale, style: Disguise, mixedShare: number, otherScripts: readonly string[]): string {
  const useOther = otherScripts.length > 0 && rng.chance(mixedShare);
  const lang = useOther ? otherLocale(locale) : locale;
  return disguise(spin(rng.pick(useOther ? otherScripts : scripts), rng), lang, style, rng);
}

/** Spun pitches on a jittered timer per account, the timers sharing one setting. */
export function spunTemplates(room: RoomBuilder, cohort: SimAccount[]): string[] {
  const rng = room.rng;
  const locale = room.setup.locale;
  const picks = rng.int(1, 3);
  const scripts = rng.sample(PITCH_SPINTAX[locale], picks);
  const mixedShare = rng.chance(0.3) ? rng.uniform(0.1, 0.3) : 0;
  const otherScripts = mixedShare > 0 ? rng.sample(PITCH_SPINTAX[otherLocale(locale)], picks) : [];
  const style = randomDisguise(rng);
  const timer: Timer = { periodMs: rng.uniform(20, 90) * SECOND, jitter: rng.uniform(0.02, 0.18), skip: rng.chance(0.4) ? rng.uniform(0, 0.08) : 0 };
  const posted: string[] = [];
  for (const account of cohort) {
    const joinAt = room.startTs + rng.uniform(0.5, 12) * MINUTE;
    const session = sessionFor(room, account, joinAt, rng.chance(0.6) ? room.endTs : rng.uniform(joinAt + 15 * MINUTE, room.endTs + MINUTE));
    const times = ticks(rng, timer, session.joinAt + rng.uniform(5 * SECOND, timer.periodMs), Math.min(session.leaveAt, room.endTs));
    for (const ts of times) room.comment(account, ts, line(rng, scripts, locale, style, mixedShare, otherScripts));
    if (times.length > 0) posted.push(account.accountId);
  }
  return posted;
}

/**
 * A relay ring: the accounts ask one question in turn, a fixed gap apart,
 * round after round, in stretches with pauses between them.
 */
export function relayQuestions(room: RoomBuilder, ring: SimAccount[]): string[] {
  const rng = room.rng;
  const locale = room.setup.locale;
  const question = rng.pick(QUESTION_SPINTAX[locale]);
  const style: Disguise = { ...randomDisguise(rng), reorder: 0, spacedOut: 0 };
  const gapMs = rng.uniform(10, 40) * SECOND;
  const jitter = rng.uniform(0.02, 0.15);
  const sessions = ring.map((account) => sessionFor(room, account, room.startTs + rng.uniform(0.5, 4) * MINUTE, room.endTs));
  const posted = new Set<string>();
  let at = room.startTs + rng.uniform(5, 12) * MINUTE;
  while (at < room.endTs - 3 * MINUTE) {
    const order = rng.shuffle([...sessions]);
    const rounds = rng.int(3, 10);
    for (let round = 0; round < rounds && at < room.endTs - MINUTE; round++) {
      for (const session of order) {
        const ts = at + rng.uniform(-jitter, jitter) * gapMs;
        at += gapMs;
        if (ts <= session.joinAt || ts >= Math.min(session.leaveAt, room.endTs)) continue;
        room.comment(session.account, ts, disguise(spin(question, rng), locale, style, rng));
        posted.add(session.account.accountId);
      }
    }
    at += rng.uniform(2, 8) * MINUTE;
  }
  return [...posted];
}

/** One line passed along a chain of accounts, each posting it once a fixed gap after the previous; a few chains a stream. */
export function relayChain(room: RoomBuilder, chain: SimAccount[]): string[] {
  const rng = room.rng;
  const locale = room.setup.locale;
  const style: Disguise = { ...randomDisguise(rng), reorder: 0 };
  const gapMs = rng.uniform(6, 30) * SECOND;
  const jitter = rng.uniform(0.02, 0.15);
  const posted = new Set<string>();
  const chains = rng.int(2, 4);
  const scripts = [...PITCH_SPINTAX[locale], ...QUESTION_SPINTAX[locale]];
  for (let c = 0; c < chains; c++) {
    const text = spin(rng.pick(scripts), rng);
    let at = room.startTs + ((c + rng.uniform(0.2, 0.8)) / chains) * (room.endTs - room.startTs);
    for (const account of rng.shuffle([...chain])) {
      const ts = at + rng.uniform(-jitter, jitter) * gapMs;
      at += gapMs;
      if (ts >= room.endTs - 5 * SECOND) break;
      const session = sessionFor(room, account, ts - rng.uniform(20, 120) * SECOND, room.endTs);
      if (ts <= session.joinAt || ts >= session.leaveAt) continue;
      room.comment(account, ts, disguise(text, locale, style, rng));
      posted.add(account.accountId);
    }
  }
  return [...posted];
}

/** Every account on one timer setting, each post a different line from a shared pool. */
export function poolRotation(room: RoomBuilder, accounts: SimAccount[]): string[] {
  const rng = room.rng;
  const locale = room.setup.locale;
  const pool = rng.sample(POOL_SPINTAX[locale], rng.int(10, POOL_SPINTAX[locale].length));
  const style: Disguise = { ...randomDisguise(rng), spacedOut: 0 };
  const timer: Timer = { periodMs: rng.uniform(25, 120) * SECOND, jitter: rng.uniform(0.02, 0.15), skip: rng.chance(0.3) ? rng.uniform(0, 0.06) : 0 };
  const posted: string[] = [];
  for (const account of accounts) {
    const session = sessionFor(room, account, room.startTs + rng.uniform(0, 8) * MINUTE, room.endTs);
    const times = ticks(rng, timer, session.joinAt + rng.uniform(5 * SECOND, timer.periodMs), Math.min(session.leaveAt, room.endTs));
    for (const ts of times) room.comment(account, ts, disguise(spin(rng.pick(pool), rng), locale, style, rng));
    if (times.length > 0) posted.push(account.accountId);
  }
  return posted;
}

/** Slow drip: a spun pitch every few minutes per account, far below any rate limit. */
export function slowDrip(room: RoomBuilder, cohort: SimAccount[]): string[] {
  const rng = room.rng;
  const locale = room.setup.locale;
  const scripts = rng.sample(PITCH_SPINTAX[locale], rng.int(1, 2));
  const style = randomDisguise(rng);
  const timer: Timer = { periodMs: rng.uniform(3, 8) * MINUTE, jitter: rng.uniform(0.02, 0.15), skip: 0 };
  const posted: string[] = [];
  for (const account of cohort) {
    const session = sessionFor(room, account, room.startTs + rng.uniform(0, 6) * MINUTE, room.endTs);
    const times = ticks(rng, timer, session.joinAt + rng.uniform(10 * SECOND, timer.periodMs), Math.min(session.leaveAt, room.endTs));
    for (const ts of times) room.comment(account, ts, line(rng, scripts, locale, style, 0, []));
    if (times.length > 0) posted.push(account.accountId);
  }
  return posted;
}

/**
 * A pool of hundreds of accounts, each posting the spun pitch once or
 * twice: a scheduler releases one post every few seconds, taking the next
 * account, which drops in just before and leaves soon after.
 */
export function massPool(room: RoomBuilder, pool: SimAccount[]): string[] {
  const rng = room.rng;
  const locale = room.setup.locale;
  const scripts = rng.sample(PITCH_SPINTAX[locale], rng.int(1, 2));
  const style = randomDisguise(rng);
  const gapMs = rng.uniform(2.5, 10) * SECOND;
  const jitter = rng.uniform(0.05, 0.3);
  const twice = rng.uniform(0, 0.4);
  const queue = [...rng.shuffle([...pool]), ...rng.sample(pool, Math.round(pool.length * twice))];
  const posted = new Set<string>();
  const lastPost = new Map<string, number>();
  let at = room.startTs + rng.uniform(3, 10) * MINUTE;
  for (const account of queue) {
    const ts = at + rng.uniform(-jitter, jitter) * gapMs;
    at += gapMs;
    if (ts >= room.endTs - 10 * SECOND) break;
    const previous = lastPost.get(account.accountId);
    if (previous === undefined) {
      const joinAt = ts - rng.uniform(5, 60) * SECOND;
      room.watch(account, joinAt, ts + rng.uniform(1, 10) * MINUTE);
    } else if (!room.sessions.some((s) => s.account.accountId === account.accountId && s.joinAt < ts && s.leaveAt > ts)) {
      if (!room.isFree(account, ts - 30 * SECOND)) continue;
      room.watch(account, ts - rng.uniform(5, 30) * SECOND, ts + rng.uniform(1, 10) * MINUTE);
    }
    room.comment(account, ts, line(rng, scripts, locale, style, 0, []));
    lastPost.set(account.accountId, ts);
    posted.add(account.accountId);
  }
  return [...posted];
}
