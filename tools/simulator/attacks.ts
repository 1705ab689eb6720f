import type { SimAccount } from './accounts.js';
import type { CloudPhoneFarm } from './cohorts.js';
import { pickHandset, type Locale } from './catalog.js';
import type { FlashSale } from './organic.js';
import type { Rng } from './prng.js';
import type { RoomBuilder, ViewerSession } from './room.js';

/**
 * How each attacker style behaves inside one stream. Every function takes
 * the attacker's accounts and returns the ids of those that actually did
 * something fraudulent in this stream: those, and only those, are labelled.
 */

const SECOND = 1_000;
const MINUTE = 60_000;
const HOUR = 3_600_000;

function sessionOf(room: RoomBuilder, account: SimAccount): ViewerSession | undefined {
  return room.sessions.find((session) => session.account.accountId === account.accountId);
}

function ensureSession(room: RoomBuilder, account: SimAccount, joinAt: number, leaveAt: number): ViewerSession {
  return sessionOf(room, account) ?? room.watch(account, joinAt, leaveAt);
}

// ---------------------------------------------------------------- injected viewers

/** Emulator farm: fixed-size steps at a fixed interval, no interaction, everyone stays to the end. */
export function emulatorFarmJoins(room: RoomBuilder, farm: SimAccount[]): string[] {
  const rng = room.rng;
  const interval = rng.pick([30, 60, 90]) * SECOND;
  const step = rng.int(15, 40);
  const firstStep = room.startTs + rng.uniform(1, 8) * MINUTE;
  const joined: string[] = [];
  farm.forEach((account, index) => {
    const stepAt = firstStep + Math.floor(index / step) * interval;
    if (stepAt > room.endTs - 5 * MINUTE) return;
    room.watch(account, stepAt + rng.int(0, 900), room.endTs);
    joined.push(account.accountId);
  });
  return joined;
}

/** Group-control phone farm: jittered waves, each wave released after its paid duration; lockstep likes to look alive. */
export function phoneFarmWaves(room: RoomBuilder, cohort: SimAccount[]): string[] {
  const rng = room.rng;
  const accounts = rng.sample(cohort, Math.round(cohort.length * rng.uniform(0.6, 1)));
  const joined: ViewerSession[] = [];
  let waveAt = room.startTs + rng.uniform(2, 10) * MINUTE;
  let cursor = 0;
  while (cursor < accounts.length && waveAt < room.endTs - 8 * MINUTE) {
    const waveSize = rng.int(25, 70);
    const paidFor = rng.uniform(15, 30) * MINUTE;
    for (const account of accounts.slice(cursor, cursor + waveSize)) {
      const joinAt = waveAt + rng.uniform(0, 40 * SECOND);
      joined.push(room.watch(account, joinAt, waveAt + paidFor + rng.uniform(0, 60 * SECOND)));
    }
    cursor += waveSize;
    waveAt += rng.uniform(150, 240) * SECOND;
  }
  // The control software taps "like" on every phone at once.
  for (let tapAt = room.startTs + 5 * MINUTE; tapAt < room.endTs; tapAt += rng.uniform(100, 150) * SECOND) {
    const taps = rng.pick([10, 20, 30]);
    for (const session of joined) {
      if (session.joinAt < tapAt && session.leaveAt > tapAt + 2 * SECOND && rng.chance(0.4)) {
        room.like(session.account, tapAt + rng.uniform(0, 2 * SECOND), taps);
      }
    }
  }
  return joined.map((session) => session.account.accountId);
}

/** Aged-account package: groups join within a second or two and leave together; zero interaction. */
export function agedPackageLockstep(room: RoomBuilder, cohort: SimAccount[]): string[] {
  const rng = room.rng;
  const accounts = rng.sample(cohort, Math.round(cohort.length * rng.uniform(0.7, 1)));
  const joined: string[] = [];
  let groupAt = room.startTs + rng.uniform(2, 12) * MINUTE;
  let cursor = 0;
  while (cursor < accounts.length && groupAt < room.endTs - 5 * MINUTE) {
    const groupSize = rng.int(8, 25);
    const leaveAt = groupAt + rng.uniform(10, 30) * MINUTE;
    for (const account of accounts.slice(cursor, cursor + groupSize)) {
      room.watch(account, groupAt + rng.uniform(0, 1_500), leaveAt + rng.uniform(0, 3 * SECOND));
      joined.push(account.accountId);
    }
    cursor += groupSize;
    groupAt += rng.lognormal(90 * SECOND, 0.4);
  }
  return joined;
}

/**
 * Trickle farm: accounts drift in one at a time at random moments and stay
 * for human-looking, independent dwell times, so no join burst ever forms.
 */
export function trickleFarmJoins(room: RoomBuilder, farm: SimAccount[]): string[] {
  const rng = room.rng;
  const joined: string[] = [];
  // A few times a real viewer's dwell: long enough to lift the count, spread like a person's.
  const dwellMedian = rng.uniform(3, 8) * MINUTE;
  for (const account of farm) {
    const joinAt = rng.uniform(room.startTs + MINUTE, room.endTs - 5 * MINUTE);
    const session = room.watch(account, joinAt, joinAt + Math.min(rng.lognormal(dwellMedian, 1), 2 * HOUR));
    // Some instances tap a like now and then, the way a lurker does.
    if (rng.chance(0.15)) room.like(account, rng.uniform(session.joinAt + 5 * SECOND, Math.max(session.joinAt + 6 * SECOND, Math.min(session.leaveAt, room.endTs))), rng.int(1, 5));
    joined.push(account.accountId);
  }
  return joined;
}

/**
 * Aged-account farm: loose batches released over a minute or two, every
 * account on its own leave timer; the same accounts work several rooms.
 */
export function agedFarmBatches(room: RoomBuilder, cohort: SimAccount[]): string[] {
  const rng = room.rng;
  const accounts = rng.sample(cohort, Math.round(cohort.length * rng.uniform(0.5, 0.9)));
  const joined: string[] = [];
  let batchAt = room.startTs + rng.uniform(2, 10) * MINUTE;
  let cursor = 0;
  while (cursor < accounts.length && batchAt < room.endTs - 6 * MINUTE) {
    const batchSize = rng.int(5, 20);
    const spread = rng.uniform(20, 120) * SECOND;
    for (const account of accounts.slice(cursor, cursor + batchSize)) {
      const joinAt = batchAt + rng.uniform(0, spread);
      room.watch(account, joinAt, joinAt + rng.lognormal(18 * MINUTE, 0.6));
      joined.push(account.accountId);
    }
    cursor += batchSize;
    batchAt += rng.lognormal(3 * MINUTE, 0.5);
  }
  return joined;
}

/**
 * "Machine-swiping" software (issue 18): viewers injected in steps at a set
 * interval, a share of every step posting a templated line on a fixed
 * period, likes tapped by the whole farm, and the displayed count bumped on
 * every step. Returns every account that joined and those that posted.
 */
export function allInOneFarmRoom(room: RoomBuilder, farm: SimAccount[]): { viewers: string[]; posters: string[] } {
  const rng = room.rng;
  const interval = rng.pick([45, 60, 90]) * SECOND;
  const step = rng.int(30, 60);
  const talkingShare = rng.uniform(0.45, 0.7);
  const period = rng.pick([20, 30, 40]) * SECOND;
  const firstStep = room.startTs + rng.uniform(1, 6) * MINUTE;
  const viewers: ViewerSession[] = [];
  const posters: string[] = [];
  let steps = 0;
  for (let index = 0; index < farm.length; index += step) {
    const stepAt = firstStep + steps * interval;
    if (stepAt > room.endTs - 6 * MINUTE) break;
    steps++;
    for (const account of farm.slice(index, index + step)) {
      const session = room.watch(account, stepAt + rng.int(0, 2_000), room.endTs);
      viewers.push(session);
      if (!rng.chance(talkingShare)) continue;
      let ts = session.joinAt + rng.uniform(3, 10) * SECOND;
      let posts = 0;
      while (ts < room.endTs) {
        room.comment(account, ts + rng.int(-300, 300), templatedText(rng, room.setup.locale));
        posts++;
        ts += period;
      }
      if (posts > 0) posters.push(account.accountId);
    }
  }
  for (let tapAt = firstStep + interval; tapAt < room.endTs; tapAt += interval) {
    for (const session of viewers) if (session.joinAt < tapAt && rng.chance(0.5)) room.like(session.account, tapAt + rng.uniform(0, 3 * SECOND), rng.pick([5, 10, 20]));
  }
  if (steps === 0) return { viewers: [], posters };
  // The "xxx is coming" banners the software fakes: the displayed count jumps on every step.
  const bump = Math.round(step * rng.uniform(0.5, 1.5));
  const lastStepAt = firstStep + (steps - 1) * interval;
  const previous = room.displayedExtra;
  room.displayedExtra = (ts) =>
    (previous ? previous(ts) : 0) + (ts < firstStep ? 0 : bump * (Math.floor((Math.min(ts, lastStepAt) - firstStep) / interval) + 1));
  return { viewers: viewers.map((session) => session.account.accountId), posters };
}

/**
 * Cloud-phone rotation: every seat logs one bought account into the room,
 * keeps it there for a paid slot, logs it out and logs the next one in a few
 * seconds later, through a fresh proxy address, until the job ends. The
 * control software either rotates every seat on one timer or lets each seat
 * run its own; in some jobs it taps like on every seat now and then, as a
 * heartbeat that keeps the account counted as active. Accounts never talk.
 * Jobs differ the way vendors' software does: some slots last under a
 * minute or two (a view counts once the account is in), some seats wait a
 * minute or several for the next account in the queue before logging in,
 * and some builds report a different handset model at every login (the
 * "new device" button) while the seat's device id stays the same. Others
 * reset the device id itself at every login (a hook framework's one-click
 * new phone), so no id ties two accounts: only the seats' builds, the proxy
 * pool, the bought batches and the rotation itself do.
 */
export function cloudPhoneRotation(room: RoomBuilder, farm: CloudPhoneFarm): string[] {
  const rng = room.rng;
  const seats = rng.sample(farm.seats, Math.max(4, Math.round(farm.seats.length * rng.uniform(0.5, 1))));
  const queue = rng.shuffle(farm.accounts.filter((account) => room.isFree(account, room.startTs)));
  const onOneTimer = rng.chance(0.5);
  // A view package pays per entry (slots of a minute or two), per watch time (a few minutes), or per seat-hour (long slots: a seat carries only a few accounts per stream).
  const slotMedian = rng.weighted([
    [rng.uniform(0.6, 2) * MINUTE, 0.3],
    [rng.uniform(1.5, 8) * MINUTE, 0.45],
    [rng.uniform(12, 30) * MINUTE, 0.25],
  ] as const);
  const heartbeat = rng.chance(0.5) ? rng.uniform(40, 120) * SECOND : 0;
  const jobStart = room.startTs + rng.uniform(1, 8) * MINUTE;
  const jobEnd = room.endTs - rng.uniform(0, 10) * MINUTE;
  // Logging out, switching accounts and entering again: a few seconds, or a wait in the vendor's queue for the next account.
  const queued = rng.chance(0.4);
  const gap = (): number => (queued ? rng.uniform(20, 240) : rng.uniform(2, 15)) * SECOND;
  const spoofsModel = rng.chance(0.35);
  const resetsDevice = rng.chance(0.35);
  const joined: string[] = [];
  const login = (seat: (typeof seats)[number], at: number, until: number): ViewerSession | undefined => {
    const account = queue.pop();
    if (account === undefined) return undefined;
    // A fresh 16-hex id per login (64 bits: no collision with a real phone's).
    account.deviceId = resetsDevice ? rng.hex(16) : seat.deviceId;
    account.device = spoofsModel ? { ...seat.device, model: pickHandset(rng, 'zh').model } : seat.device;
    account.ip = ipFromPool(rng, farm.proxySubnets);
    joined.push(account.accountId);
    const session = room.watch(account, at, until);
    if (heartbeat > 0) {
      // The software's beat is the same on every seat: ticks at fixed times since the job started.
      for (let tick = jobStart + Math.ceil((session.joinAt - jobStart) / heartbeat) * heartbeat; tick < Math.min(session.leaveAt, room.endTs); tick += heartbeat) {
        room.like(account, tick + rng.uniform(0, 1_500), 1);
      }
    }
    return session;
  };
  if (onOneTimer) {
    const slot = slotMedian;
    for (let tick = jobStart; tick < jobEnd - MINUTE; tick += slot) {
      for (const seat of seats) {
        const at = tick + Math.min(gap(), slot / 2);
        if (login(seat, at, tick + slot + rng.uniform(0, 2) * SECOND) === undefined) return joined;
      }
    }
  } else {
    for (const seat of seats) {
      let at = jobStart + rng.uniform(0, 3) * MINUTE;
      while (at < jobEnd - MINUTE) {
        const session = login(seat, at, at + Math.min(rng.lognormal(slotMedian, 0.4), 4 * slotMedian));
        if (session === undefined) break;
        at = session.leaveAt + gap();
      }
    }
  }
  return joined;
}

function ipFromPool(rng: Rng, subnets: readonly string[]): string {
  return `${rng.pick(subnets)}.${rng.int(2, 253)}`;
}

/** Count-only package: the displayed number climbs in steps while no one joins. */
export function inflateDisplayedCount(room: RoomBuilder, peakViewers: number): void {
  const rng = room.rng;
  const startsAt = room.startTs + rng.uniform(3, 12) * MINUTE;
  const interval = rng.pick([60, 120, 180]) * SECOND;
  const step = Math.max(100, Math.round(peakViewers * rng.uniform(0.3, 0.8)));
  const maxSteps = rng.int(8, 15);
  room.displayedExtra = (ts) => (ts < startsAt ? 0 : step * Math.min(maxSteps, Math.floor((ts - startsAt) / interval) + 1));
}

// ---------------------------------------------------------------- scripted comments

const IDENTICAL_SCRIPTS: Record<Locale, readonly string[]> = {
  zh: ['主播人真好，东西也好，已经回购好几次了', '质量真的很好，大家放心买', '这个价格太划算了，赶紧冲', '已拍，期待收货', '姐妹们真的可以闭眼入'],
  en: ['Best quality I have ever bought, highly recommend!', 'Just ordered, so excited!', 'This price is insane, grab it now', 'Trust me this is worth it'],
};

/** Fixed texts on a fixed period from a whole cohort: the cheapest comment script. */
export function identicalComments(room: RoomBuilder, cohort: SimAccount[]): string[] {
  const rng = room.rng;
  const period = rng.pick([20, 30, 45, 60]) * SECOND;
  const scripts = rng.sample(IDENTICAL_SCRIPTS[room.setup.locale], rng.int(2, 4));
  const posted: string[] = [];
  cohort.forEach((account, index) => {
    const session = ensureSession(room, account, room.startTs + rng.uniform(0.5, 5) * MINUTE, room.endTs);
    let ts = session.joinAt + rng.uniform(5, 15) * SECOND + rng.int(0, period);
    let k = 0;
    while (ts < Math.min(session.leaveAt, room.endTs)) {
      room.comment(account, ts + rng.int(-150, 150), scripts[(index + k) % scripts.length] as string);
      ts += period;
      k++;
    }
    if (k > 0) posted.push(account.accountId);
  });
  return posted;
}

const TRADITIONAL: readonly (readonly [string, string])[] = [
  ['链接', '鏈接'],
  ['号', '號'],
  ['单', '單'],
  ['质量', '質量'],
  ['宝贝', '寶貝'],
  ['赶紧', '趕緊'],
  ['买', '買'],
];

/** A comment template with slots, as spam tools fill them per account and per post. */
export function templatedText(rng: Rng, locale: Locale): string {
  const emoji = rng.pick(['🔥', '👍', '❤️', '💯', '🉐', '✨', '', '']);
  const punct = rng.pick(['！', '!', '～', '。', '', '!!', '！！！']);
  const n = rng.int(1, 12);
  if (locale === 'en') {
    const text = `${rng.pick(['guys', 'yall', 'everyone', 'omg'])} ${rng.pick(['link', 'item', '#'])}${rng.chance(0.5) ? ' ' : ''}${n} is ${rng.pick(['amazing', 'sooo good', 'a steal', 'worth it', 'legit'])}${emoji ? ` ${emoji}` : ''}${punct}`;
    return rng.chance(0.3) ? text.toUpperCase() : text;
  }
  let text = rng.chance(0.5)
    ? `${rng.pick(['宝宝们', '家人们', '姐妹们', '兄弟们'])}${rng.pick(['冲', '冲啊', '快冲', '赶紧冲', '抢'])}${emoji}${n}号${rng.pick(['链接', '宝贝', ''])}${rng.pick(['已拍', '拍了', '已下单', '下单了'])}${punct}`
    : `${n}号${rng.pick(['链接', '宝贝'])}${rng.pick(['质量', '做工', '面料'])}${rng.pick(['太好了', '绝了', '真不错', '没得说'])}${emoji}${rng.pick(['赶紧买', '闭眼入', '必须买'])}${punct}`;
  if (rng.chance(0.25)) for (const [simplified, traditional] of TRADITIONAL) text = text.replaceAll(simplified, traditional);
  // Spam tools pad with spaces and full-width characters to dodge exact-match filters.
  const disguise = rng.next();
  if (disguise < 0.15) text = [...text].join(' ');
  else if (disguise < 0.3) text = text.replace(/\d+/, (digits) => String.fromCodePoint(0xff10 + Number(digits[0])) + digits.slice(1));
  return text;
}

/** Template variations posted at loose random times by a bulk-registered cohort. */
export function templatedComments(room: RoomBuilder, cohort: SimAccount[]): string[] {
  const rng = room.rng;
  const meanGap = rng.uniform(40, 120) * SECOND;
  const posted: string[] = [];
  for (const account of cohort) {
    const joinAt = room.startTs + rng.uniform(0.5, 10) * MINUTE;
    const session = ensureSession(room, account, joinAt, rng.uniform(joinAt + 20 * MINUTE, room.endTs + MINUTE));
    let ts = session.joinAt + rng.exponential(meanGap / 2);
    let count = 0;
    while (ts < Math.min(session.leaveAt, room.endTs)) {
      room.comment(account, ts, templatedText(rng, room.setup.locale));
      count++;
      ts += rng.exponential(meanGap);
    }
    if (count > 0) posted.push(account.accountId);
  }
  return posted;
}

const PRAISE: Record<Locale, readonly string[]> = {
  zh: ['这款真的绝了', '用了半年了真心推荐', '回购第三次了', '买给我妈的她很喜欢', '质量比想象中好', '物流很快第二天就到了', '性价比超高', '主播讲得很专业', '比超市便宜多了', '闺蜜推荐来的果然没错'],
  en: ['been using this for months, love it', 'bought it for my mom and she loves it', 'quality is better than expected', 'shipping was super fast', 'great value honestly', 'my friend recommended this shop'],
};

/**
 * Aged accounts typing praise at human-looking, jittered times; the tell is
 * only that they share a handful of phones and networks.
 */
export function humanLikeComments(room: RoomBuilder, cohort: SimAccount[]): string[] {
  const rng = room.rng;
  const posted: string[] = [];
  for (const account of cohort) {
    const joinAt = room.startTs + rng.uniform(0, 15) * MINUTE;
    const session = ensureSession(room, account, joinAt, joinAt + rng.uniform(20, 80) * MINUTE);
    const until = Math.min(session.leaveAt, room.endTs);
    let ts = session.joinAt + rng.lognormal(40 * SECOND, 0.6);
    let count = 0;
    while (ts < until) {
      let text = rng.pick(PRAISE[room.setup.locale]);
      if (rng.chance(0.4)) text += rng.pick(['！', '~', '👍', '❤️', '！！', ' 真的']);
      room.comment(account, ts, text);
      count++;
      if (rng.chance(0.3)) room.like(account, ts + rng.uniform(1, 20) * SECOND, rng.int(1, 15));
      ts += rng.lognormal(70 * SECOND, 0.7);
    }
    if (count > 0) posted.push(account.accountId);
  }
  return posted;
}

const PUSH_TEXTS: Record<Locale, readonly string[]> = {
  zh: ['下单的宝宝扣已拍', '点点关注不迷路', '新来的宝宝点个关注', '库存不多了抓紧时间', '今天的价格只有直播间有', '喜欢主播的点点小红心', '拍下记得备注主播名字'],
  en: ['tap follow for more deals', 'stock is running low!', 'only this price in live', 'share the live with friends', 'drop a heart if you ordered'],
};

/** A few ordinary-looking accounts that each post on a near-fixed period for the whole stream. */
export function periodicPosters(room: RoomBuilder, accounts: SimAccount[]): string[] {
  const rng = room.rng;
  const posted: string[] = [];
  for (const account of accounts) {
    const session = ensureSession(room, account, room.startTs + rng.uniform(0, 3) * MINUTE, room.endTs);
    const period = rng.uniform(40, 90) * SECOND;
    let ts = session.joinAt + rng.uniform(10, 60) * SECOND;
    let count = 0;
    while (ts < Math.min(session.leaveAt, room.endTs)) {
      room.comment(account, ts, rng.pick(PUSH_TEXTS[room.setup.locale]));
      count++;
      ts += period + rng.normal(0, 1.5 * SECOND);
    }
    if (count > 0) posted.push(account.accountId);
  }
  return posted;
}

// ---------------------------------------------------------------- refund brushing

/** A hired brusher ring: drop in, order the expensive items, pay at once, refund right after the stream. */
export function ringBrushing(room: RoomBuilder, ring: SimAccount[]): string[] {
  const rng = room.rng;
  const expensive = [...room.setup.skus].sort((a, b) => b.livePrice - a.livePrice).slice(0, 3);
  const brushers: string[] = [];
  for (const account of rng.sample(ring, Math.round(ring.length * rng.uniform(0.6, 1)))) {
    const joinAt = rng.uniform(room.startTs + 2 * MINUTE, room.endTs - 12 * MINUTE);
    const session = room.watch(account, joinAt, joinAt + rng.uniform(3, 12) * MINUTE);
    const until = Math.min(session.leaveAt, room.endTs);
    if (rng.chance(0.3)) room.comment(account, rng.uniform(session.joinAt, until), rng.pick(room.setup.locale === 'zh' ? ['已拍', '拍了', '好'] : ['ordered', 'got it']));
    for (let i = 0, orders = rng.int(1, 2); i < orders; i++) {
      const sku = rng.pick(expensive);
      const placedAt = rng.uniform(session.joinAt + 30 * SECOND, Math.max(session.joinAt + 31 * SECOND, until));
      const paidAt = placedAt + rng.lognormal(15 * SECOND, 0.6);
      // Refund once the stream's numbers are locked in, before anything ships.
      const refundedAt = rng.chance(0.92) ? room.endTs + rng.uniform(10 * MINUTE, 8 * HOUR) : paidAt + rng.uniform(5, 20) * MINUTE;
      room.order(account, placedAt, sku, sku.livePrice, rng.int(1, 2), { paidAt, refundedAt });
    }
    brushers.push(account.accountId);
  }
  return brushers;
}

/** The merchant's own team grabs flash-sale stock first and buys the hero item at list price, then refunds. */
export function merchantTeamBrushing(room: RoomBuilder, staff: SimAccount[], flashSales: readonly FlashSale[]): string[] {
  const rng = room.rng;
  const hero = [...room.setup.skus].sort((a, b) => b.listPrice - a.listPrice)[0];
  if (!hero) return [];
  const ordered = new Set<string>();
  const sessions = staff.map((account) => room.watch(account, room.startTs + rng.uniform(0, 5) * MINUTE, room.endTs));
  const refundAfterEnd = (): number => room.endTs + rng.uniform(30 * MINUTE, 36 * HOUR);
  for (const flash of flashSales) {
    for (const session of sessions) {
      if (!rng.chance(0.75)) continue;
      // Staff know the moment: they are in before any real viewer can react.
      const placedAt = flash.at + rng.uniform(300, 2_000);
      room.order(session.account, placedAt, flash.sku, flash.flashPrice, rng.int(1, 3), { paidAt: placedAt + rng.uniform(3, 30) * SECOND, refundedAt: refundAfterEnd() });
      ordered.add(session.account.accountId);
    }
  }
  for (const session of sessions) {
    for (let i = 0, orders = rng.int(1, 4); i < orders; i++) {
      const placedAt = rng.uniform(session.joinAt + MINUTE, room.endTs - MINUTE);
      room.order(session.account, placedAt, hero, hero.listPrice, rng.int(1, 2), { paidAt: placedAt + rng.uniform(5, 60) * SECOND, refundedAt: refundAfterEnd() });
      ordered.add(session.account.accountId);
    }
  }
  return [...ordered];
}

/**
 * When a brusher's refund lands: most within hours of the end, some the next
 * day, and a share days later, once an empty parcel "arrived", to look like
 * an ordinary return.
 */
function brusherRefundAt(rng: Rng, endTs: number, lateShare: number): number {
  const roll = rng.next();
  if (roll < lateShare) return endTs + rng.uniform(2 * 24, 6 * 24) * HOUR;
  if (roll < lateShare + 0.25) return endTs + rng.uniform(12, 40) * HOUR;
  return endTs + rng.uniform(20 * MINUTE, 12 * HOUR);
}

/** The room's dearer half of its SKUs: what brushers are paid to push. */
function dearerSkus(room: RoomBuilder): RoomBuilder['setup']['skus'] {
  const sorted = [...room.setup.skus].sort((a, b) => b.livePrice - a.livePrice);
  return sorted.slice(0, Math.max(2, Math.ceil(sorted.length / 2)));
}

/**
 * A brushing studio in one room: a few of its accounts (one operator's
 * phones) drop in, buy the dearer items at the live price, pay at once and
 * are refunded after the stream, some of them days later. The studio works
 * many rooms, so a room may see only two or three of its accounts.
 * `rng` is the caller's, so the room's own draws stay as they were.
 */
export function studioBrushing(room: RoomBuilder, studio: SimAccount[], rng: Rng): string[] {
  const skus = dearerSkus(room);
  const brushers: string[] = [];
  for (const account of rng.sample(studio, rng.int(2, 8))) {
    if (!room.isFree(account, room.startTs)) continue;
    const joinAt = rng.uniform(room.startTs + 2 * MINUTE, room.endTs - 10 * MINUTE);
    const session = room.watch(account, joinAt, joinAt + rng.uniform(4, 15) * MINUTE);
    const until = Math.min(session.leaveAt, room.endTs);
    for (let i = 0, orders = rng.int(1, 2); i < orders; i++) {
      const sku = rng.pick(skus);
      const placedAt = rng.uniform(session.joinAt + 20 * SECOND, Math.max(session.joinAt + 21 * SECOND, until - SECOND));
      const paidAt = placedAt + rng.lognormal(12 * SECOND, 0.5);
      room.order(account, placedAt, sku, sku.livePrice, rng.int(1, 2), { paidAt, refundedAt: brusherRefundAt(rng, room.endTs, 0.2) });
    }
    brushers.push(account.accountId);
  }
  return brushers;
}

/**
 * A kickback crew: each recruit buys one dear item and is refunded most of
 * it after the stream (the crew keeps a commission: a fixed share, or a
 * fixed fee per order), sometimes in two steps; a third of them also buy something small and keep it, so no one
 * account looks extreme.
 */
export function kickbackBrushing(room: RoomBuilder, crew: SimAccount[], rng: Rng): string[] {
  const skus = dearerSkus(room);
  const cheap = [...room.setup.skus].sort((a, b) => a.livePrice - b.livePrice)[0]!;
  // The organiser's rule: a share of the price, a fixed fee per order, or (a third of crews) a commission agreed one by one.
  // (Cheap tasks pay more: some organisers keep up to 45 %.)
  const commission = rng.chance(0.3) ? rng.uniform(0.3, 0.45) : rng.uniform(0.08, 0.3);
  const rule = rng.weighted([
    ['share', 1],
    ['fee', 1],
    ['each', 1],
  ] as const);
  const fee = rule === 'fee' ? rng.pick([500, 1_000, 1_500, 2_000]) : null;
  const brushers: string[] = [];
  // A big job sends a dozen recruits to one room; a small one sends three to five, each with their own commission.
  const small = rng.chance(0.4);
  for (const account of rng.sample(crew, small ? rng.int(3, 5) : rng.int(8, 16))) {
    if (!room.isFree(account, room.startTs)) continue;
    const joinAt = rng.uniform(room.startTs + MINUTE, room.endTs - 8 * MINUTE);
    const session = room.watch(account, joinAt, joinAt + rng.uniform(3, 20) * MINUTE);
    const until = Math.min(session.leaveAt, room.endTs);
    const sku = rng.pick(skus);
    const quantity = rng.int(1, 2);
    const placedAt = rng.uniform(session.joinAt + 15 * SECOND, Math.max(session.joinAt + 16 * SECOND, until - SECOND));
    const paidAt = placedAt + rng.lognormal(15 * SECOND, 0.6);
    const paid = sku.livePrice * quantity;
    const refund =
      fee !== null && fee <= paid * 0.3 && !small ? paid - fee : Math.round(paid * (1 - (rule === 'each' || small ? rng.uniform(0.05, 0.3) : commission)));
    const first = room.endTs + rng.uniform(30 * MINUTE, 10 * HOUR);
    const order = room.order(account, placedAt, sku, sku.livePrice, quantity, { paidAt, refundedAt: first, refundAmount: refund });
    if (rng.chance(0.4)) {
      // Refunded in two steps: the goods "returned", then a "price adjustment".
      const part = Math.round(refund * rng.uniform(0.5, 0.8));
      order.refundSteps = [
        { at: Math.round(first), amount: part },
        { at: Math.round(first + rng.uniform(2, 30) * HOUR), amount: refund - part },
      ];
    }
    if (rng.chance(0.33)) {
      const keptAt = rng.uniform(session.joinAt + 10 * SECOND, Math.max(session.joinAt + 11 * SECOND, until - SECOND));
      room.order(account, keptAt, cheap, cheap.livePrice, 1, { paidAt: keptAt + rng.lognormal(20 * SECOND, 0.6), refundedAt: null });
    }
    brushers.push(account.accountId);
  }
  return brushers;
}

/**
 * Task-platform workers: the task names one or two items of the room; each
 * worker joins, buys one, pays at once and is told to refund a few hours
 * after the stream. They share nothing but the tasks they take, in several
 * rooms of several merchants.
 */
export function taskWorkerBrushing(room: RoomBuilder, workers: SimAccount[], rng: Rng): string[] {
  const task = rng.sample(dearerSkus(room), rng.int(1, 2));
  const brushers: string[] = [];
  for (const account of rng.sample(workers, rng.int(6, 12))) {
    if (!room.isFree(account, room.startTs)) continue;
    const joinAt = rng.uniform(room.startTs + MINUTE, room.endTs - 6 * MINUTE);
    const session = room.watch(account, joinAt, joinAt + rng.uniform(2, 8) * MINUTE);
    const sku = rng.pick(task);
    const placedAt = Math.min(session.joinAt + rng.uniform(20, 90) * SECOND, room.endTs - SECOND);
    room.order(account, placedAt, sku, sku.livePrice, 1, {
      paidAt: placedAt + rng.lognormal(10 * SECOND, 0.5),
      refundedAt: room.endTs + rng.uniform(1, 20) * HOUR,
    });
    brushers.push(account.accountId);
  }
  return brushers;
}

/**
 * The merchant's team at flash-sale prices: staff are in every flash sale
 * in its first second, before any viewer can react, take the flash price
 * like everyone, and are refunded the next day.
 */
export function merchantFlashBrushing(room: RoomBuilder, staff: SimAccount[], flashSales: readonly FlashSale[], rng: Rng): string[] {
  const ordered = new Set<string>();
  const sessions = staff.map((account) => room.watch(account, room.startTs + rng.uniform(0, 4) * MINUTE, room.endTs));
  for (const flash of flashSales) {
    for (const session of sessions) {
      if (!rng.chance(0.8)) continue;
      const placedAt = flash.at + rng.uniform(200, 1_500);
      room.order(session.account, placedAt, flash.sku, flash.flashPrice, rng.int(1, 2), {
        paidAt: placedAt + rng.uniform(3, 20) * SECOND,
        refundedAt: room.endTs + rng.uniform(8, 40) * HOUR,
      });
      ordered.add(session.account.accountId);
    }
  }
  return [...ordered];
}
