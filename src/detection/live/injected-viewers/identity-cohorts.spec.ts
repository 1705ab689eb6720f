import type { RoomEvent } from '../../../events/event.schema.js';
import { DAY, T0, accountFindings, honestCrowd, honestIdentity, rng, withHonestCounts, runEngine, RoomTraffic, type JoinOptions } from '../../../../test/support/detection/traffic.js';

/**
 * Cohorts found from who the accounts are, whenever they joined (issue 10,
 * cause 2), and the honest crowds that share one thing or two with a farm
 * and must stay clean.
 */

const MIN = 60_000;
const HOUR = 3_600_000;

function injected(events: readonly RoomEvent[]) {
  const { findings } = runEngine(events);
  const mine = findings.filter((f) => f.kind === 'injected_viewers');
  return { findings, mine, accounts: accountFindings(findings, 'injected_viewers').map((f) => f.subjectId) };
}

/**
 * A farm that never bursts: each account joins alone at a random moment and
 * watches an exponential human-like time. Only its make ties it: a few /24s,
 * one or two handset models, registered within hours of each other.
 */
function trickleFarm(room: RoomTraffic, options: { size: number; from: number; to: number; endAt: number; seed: number; createdAt: number; subnets: string[]; models: string[]; meanWatchMs: number }): string[] {
  const random = rng(options.seed);
  const ids: string[] = [];
  for (let i = 0; i < options.size; i++) {
    const id = `trickle-${i}`;
    ids.push(id);
    const joinAt = options.from + random() * (options.to - options.from);
    const model = options.models[i % options.models.length];
    room.join(id, joinAt, {
      createdAt: options.createdAt + Math.round(random() * 5 * HOUR),
      model,
      os: 'Android 12',
      deviceId: `tr-dev-${i}`,
      ip: `${options.subnets[i % options.subnets.length]}.${2 + Math.floor(random() * 250)}`,
    });
    const leaveAt = joinAt + Math.max(MIN, -Math.log(1 - random()) * options.meanWatchMs);
    if (random() < 0.3) room.like(id, joinAt + random() * (leaveAt - joinAt), 1 + Math.floor(random() * 5));
    if (leaveAt < options.endAt - 1) room.leave(id, leaveAt);
  }
  return ids;
}

describe('cohorts by identity', () => {
  it('catches a trickle farm that only shared /24s, two handset models and one registration sitting tie together', () => {
    const room = new RoomTraffic().start(T0);
    honestCrowd(room, { prefix: 'fan', viewers: 220, from: T0, to: T0 + 55 * MIN, endAt: T0 + 60 * MIN, seed: 31, meanWatchMs: 8 * MIN, commentShare: 0.15 });
    const farm = trickleFarm(room, {
      size: 36,
      from: T0 + 2 * MIN,
      to: T0 + 55 * MIN,
      endAt: T0 + 60 * MIN,
      seed: 32,
      // Old enough that "young" says nothing.
      createdAt: T0 - 60 * DAY,
      subnets: ['45.83.11', '45.83.12', '91.200.7'],
      // Both are common phones in honest crowds too: only their pairing with one registration day is rare.
      models: ['M2102J20SG', 'SM-A546E'],
      meanWatchMs: 7 * MIN,
    });
    room.end(T0 + 60 * MIN);

    const { accounts } = injected(withHonestCounts(room));

    expect(accounts.filter((id) => farm.includes(id)).length).toBeGreaterThanOrEqual(32);
    expect(accounts.filter((id) => id.startsWith('fan-'))).toEqual([]);
  });

  it('catches an aged-account farm that joins in loose batches and leaves on its own timers', () => {
    const room = new RoomTraffic().start(T0);
    honestCrowd(room, { prefix: 'fan', viewers: 200, from: T0, to: T0 + 50 * MIN, endAt: T0 + 60 * MIN, seed: 41, meanWatchMs: 10 * MIN });
    const random = rng(42);
    const farm: string[] = [];
    // Accounts registered in one sitting 500 days ago, on one handset model, run from two /24s.
    for (let batch = 0; batch < 6; batch++) {
      const batchAt = T0 + 3 * MIN + batch * (4 + random() * 4) * MIN;
      for (let i = 0; i < 10; i++) {
        const id = `aged-${batch}-${i}`;
        farm.push(id);
        // Loose: a batch trickles in over a minute and a half, not in one second.
        const joinAt = batchAt + random() * 90_000;
        room.join(id, joinAt, {
          createdAt: T0 - 500 * DAY + Math.round(random() * 8 * HOUR),
          model: 'V2227A',
          os: 'Android 13',
          deviceId: `aged-dev-${batch}-${i}`,
          ip: `${batch % 2 === 0 ? '117.50.3' : '117.50.9'}.${2 + Math.floor(random() * 250)}`,
        });
        const leaveAt = joinAt + (3 + random() * 20) * MIN;
        if (leaveAt < T0 + 60 * MIN - 1) room.leave(id, leaveAt);
      }
    }
    room.end(T0 + 60 * MIN);

    const { accounts } = injected(withHonestCounts(room));

    expect(accounts.filter((id) => farm.includes(id)).length).toBeGreaterThanOrEqual(54);
    expect(accounts.filter((id) => id.startsWith('fan-'))).toEqual([]);
  });

  it('keeps a growth campaign of brand-new, silent real viewers clean', () => {
    const room = new RoomTraffic().start(T0);
    honestCrowd(room, { prefix: 'fan', viewers: 150, from: T0, to: T0 + 40 * MIN, endAt: T0 + 60 * MIN, seed: 51 });
    const random = rng(52);
    // A sign-up promo: 400 accounts registered today and yesterday, on their own phones and networks, arriving
    // together after the push notification, silent, and most of them staying.
    for (let i = 0; i < 400; i++) {
      const joinAt = T0 + 10 * MIN + Math.sqrt(random()) * 3 * MIN;
      const identity: JoinOptions = { ...honestIdentity(random, joinAt), createdAt: joinAt - Math.round(random() * 30 * HOUR) };
      room.join(`new-${i}`, joinAt, identity);
      if (random() < 0.25) room.leave(`new-${i}`, joinAt + random() * 30 * MIN);
    }
    room.end(T0 + 60 * MIN);

    const { mine } = injected(withHonestCounts(room));

    expect(mine).toEqual([]);
  });

  it('keeps a household of four accounts on one wifi and one tablet clean', () => {
    const room = new RoomTraffic().start(T0);
    honestCrowd(room, { prefix: 'fan', viewers: 150, from: T0, to: T0 + 30 * MIN, endAt: T0 + 45 * MIN, seed: 53 });
    for (let i = 0; i < 4; i++) {
      room.join(`home-${i}`, T0 + 5 * MIN + i * 3_000, { createdAt: T0 - 3 * DAY + i * 600_000, model: 'MatePad 11', os: 'HarmonyOS 4', deviceId: 'family-tablet', ip: `58.33.120.${7 + i}` });
    }
    room.end(T0 + 45 * MIN);

    expect(injected(withHonestCounts(room)).mine).toEqual([]);
  });

  it('keeps an office behind one NAT, many people with their own phones and ages, clean', () => {
    const room = new RoomTraffic().start(T0);
    honestCrowd(room, { prefix: 'fan', viewers: 120, from: T0, to: T0 + 30 * MIN, endAt: T0 + 50 * MIN, seed: 54 });
    const random = rng(55);
    // Lunchtime: 80 colleagues tune in within a few minutes from one office IP and stay, silent at their desks.
    for (let i = 0; i < 80; i++) {
      const joinAt = T0 + 12 * MIN + random() * 4 * MIN;
      room.join(`office-${i}`, joinAt, { ...honestIdentity(random, joinAt), ip: '202.96.134.33' });
    }
    room.end(T0 + 50 * MIN);

    expect(injected(withHonestCounts(room)).mine).toEqual([]);
  });

  it('keeps a campus of students on a few /24s, with brand-new accounts among them, clean', () => {
    const room = new RoomTraffic().start(T0);
    const random = rng(56);
    for (let i = 0; i < 160; i++) {
      const joinAt = T0 + random() * 30 * MIN;
      const identity = honestIdentity(random, joinAt);
      // Freshers: a third signed up during orientation week.
      if (i % 3 === 0) identity.createdAt = joinAt - Math.round((1 + random() * 6) * DAY);
      room.join(`student-${i}`, joinAt, { ...identity, ip: `166.111.${8 + (i % 3)}.${10 + Math.floor(random() * 240)}` });
      if (random() < 0.5) room.leave(`student-${i}`, joinAt + random() * 15 * MIN);
    }
    room.end(T0 + 40 * MIN);

    expect(injected(withHonestCounts(room)).mine).toEqual([]);
  });

  it('keeps viewers behind carrier NAT clean', () => {
    const room = new RoomTraffic().start(T0);
    const random = rng(57);
    // A regional mobile carrier puts thousands of phones behind a handful of /24s.
    for (let i = 0; i < 300; i++) {
      const joinAt = T0 + random() * 40 * MIN;
      room.join(`mobile-${i}`, joinAt, { ...honestIdentity(random, joinAt), ip: `112.97.${30 + (i % 5)}.${1 + Math.floor(random() * 250)}` });
      const watch = -Math.log(1 - random()) * 12 * MIN;
      if (joinAt + watch < T0 + 50 * MIN) room.leave(`mobile-${i}`, joinAt + watch);
      if (random() < 0.1) room.comment(`mobile-${i}`, joinAt + random() * 60_000, '主播好');
    }
    room.end(T0 + 50 * MIN);

    expect(injected(withHonestCounts(room)).mine).toEqual([]);
  });

  it('catches cloud-phone seats that reset the device id at every login, from the slots ending on one timer', () => {
    // Twelve seats, one rooted cloud-phone build; every login a fresh device id and proxy address. Each seat waits in
    // the vendor's queue for its next account (20-75 s), so the joins spread out; the slots end on the software's clock.
    const room = new RoomTraffic().start(T0);
    honestCrowd(room, { prefix: 'fan', viewers: 260, from: T0, to: T0 + 55 * MIN, endAt: T0 + 60 * MIN, seed: 41, meanWatchMs: 8 * MIN, commentShare: 0.15 });
    const random = rng(42);
    const farm: string[] = [];
    for (let tick = T0 + 3 * MIN; tick < T0 + 52 * MIN; tick += 3 * MIN) {
      for (let seat = 0; seat < 12; seat++) {
        const id = `seat-${seat}-${tick}`;
        farm.push(id);
        room.join(id, tick + 20_000 + random() * 55_000, {
          createdAt: T0 - (300 + random() * 400) * DAY,
          model: 'V2197A',
          os: 'Android 10',
          rooted: true,
          deviceId: `reset-${Math.floor(random() * 1e12).toString(36)}`,
          ip: `${100 + Math.floor(random() * 100)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${2 + Math.floor(random() * 250)}`,
        });
        room.leave(id, tick + 3 * MIN + random() * 2_000);
      }
    }
    room.end(T0 + 60 * MIN);

    const { accounts, mine } = injected(withHonestCounts(room));
    expect(accounts.filter((id) => farm.includes(id)).length).toBeGreaterThanOrEqual(0.8 * farm.length);
    expect(accounts.filter((id) => id.startsWith('fan-'))).toEqual([]);
    const verdicts = mine.flatMap((finding) => (finding.evidence.cohorts as Array<{ signals: string[]; leaveBatches: number }> | undefined) ?? []);
    expect(verdicts.some((verdict) => verdict.signals.includes('leftOnTimer') && verdict.leaveBatches >= 10)).toBe(true);
  });

  it('keeps a crowd clean that leaves after each of two lucky-bag draws and at the end, on tampered phones of one model', () => {
    // Old rooted phones of one model (a second-hand batch sold in one city), silent lurkers waiting for the draws.
    const room = new RoomTraffic().start(T0);
    honestCrowd(room, { prefix: 'fan', viewers: 200, from: T0, to: T0 + 50 * MIN, endAt: T0 + 60 * MIN, seed: 43, meanWatchMs: 8 * MIN, commentShare: 0.15 });
    const random = rng(44);
    const waiters: string[] = [];
    for (let i = 0; i < 90; i++) {
      const id = `waiter-${i}`;
      waiters.push(id);
      const joinAt = T0 + random() * 40 * MIN;
      room.join(id, joinAt, { ...honestIdentity(random, joinAt), model: 'M2004J19C', rooted: true });
      // A third leave right after the first draw, a third after the second, the rest when the stream ends.
      const draw = i % 3 === 0 ? T0 + 20 * MIN : i % 3 === 1 ? T0 + 45 * MIN : null;
      if (draw !== null && joinAt < draw) room.leave(id, draw + 5_000 + random() * 20_000);
      else if (draw === null) room.leave(id, T0 + 60 * MIN - 1 - random() * 15_000);
    }
    room.end(T0 + 60 * MIN);

    const { accounts } = injected(withHonestCounts(room));

    expect(accounts.filter((id) => waiters.includes(id) || id.startsWith('fan-'))).toEqual([]);
  });
  it('catches a cloud-phone pool rotating short silent sessions on its own device ids, from its build, its exits and its sittings', () => {
    // Forty seats of a rented cloud-phone service, each logging in account after account for the stream: sessions of
    // a few minutes (shorter than "stays"), a fresh device id per account, a few seconds' gap between them. What ties
    // them is the make: two phone images (root detection flags most of them, not all), a dozen exits in two
    // datacenter /24s, four registration sittings weeks apart, so no one creation window holds most of them.
    const room = new RoomTraffic().start(T0);
    honestCrowd(room, { prefix: 'fan', viewers: 260, from: T0, to: T0 + 55 * MIN, endAt: T0 + 60 * MIN, seed: 61, meanWatchMs: 8 * MIN, commentShare: 0.15 });
    const random = rng(62);
    const sittings = [40, 26, 15, 4].map((days) => T0 - days * DAY);
    const exits = Array.from({ length: 12 }, (_, i) => `${i % 2 === 0 ? '81.70.183' : '124.71.174'}.${10 + i * 7}`);
    const farm: string[] = [];
    for (let seat = 0; seat < 40; seat++) {
      let at = T0 + 2 * MIN + random() * 4 * MIN;
      while (at < T0 + 50 * MIN) {
        const id = `pool-${farm.length}`;
        farm.push(id);
        const watch = 2 * MIN + random() * 5 * MIN;
        room.join(id, at, {
          createdAt: sittings[Math.floor(random() * sittings.length)] + Math.round(random() * 5 * HOUR),
          model: seat % 2 === 0 ? 'PDCM00' : 'V2055A',
          os: 'Android 10',
          rooted: random() < 0.7,
          deviceId: `cp-${farm.length}`,
          ip: exits[Math.floor(random() * exits.length)],
        });
        room.leave(id, at + watch);
        at += watch + 5_000 + random() * 25_000;
      }
    }
    room.end(T0 + 60 * MIN);

    const { accounts } = injected(withHonestCounts(room));

    // The unrooted ones too: on the model the pool's rooted phones run.
    expect(accounts.filter((id) => farm.includes(id)).length).toBeGreaterThanOrEqual(0.9 * farm.length);
    expect(accounts.filter((id) => id.startsWith('fan-'))).toEqual([]);
  });

  it('catches a cloud-phone pool whose build reports a new model and a new device id at every login, from its one image', () => {
    // A package paid per watch time (slots of six minutes and more, a queue wait between them). A hook framework's
    // "new phone" button: every login gets a fresh device id and a popular model picked at random,
    // and each account comes through a proxy of the vendor's pool (forty /24s, a few accounts on each). The image underneath stays: one old Android on every seat,
    // root checks flagging most of them. Its rooted phones stand out on that OS: the room's other tampered phones are
    // a few percent of any OS, the pool's are most of its own.
    const room = new RoomTraffic().start(T0);
    const fans = honestCrowd(room, { prefix: 'fan', viewers: 500, from: T0, to: T0 + 55 * MIN, endAt: T0 + 60 * MIN, seed: 71, meanWatchMs: 8 * MIN, commentShare: 0.15 });
    const random = rng(72);
    const sittings = [300, 180, 90].map((days) => T0 - days * DAY);
    const proxies = Array.from({ length: 40 }, (_, i) => `111.18.${i * 3}`);
    const farm: string[] = [];
    for (let seat = 0; seat < 30; seat++) {
      let at = T0 + 2 * MIN + random() * 4 * MIN;
      while (at < T0 + 50 * MIN) {
        const id = `pool-${farm.length}`;
        farm.push(id);
        const watch = 6 * MIN + random() * 8 * MIN;
        room.join(id, at, {
          createdAt: sittings[Math.floor(random() * sittings.length)] + Math.round(random() * 20 * DAY),
          model: honestIdentity(random, at).model,
          os: 'Android 11',
          rooted: random() < 0.7,
          deviceId: `reset-${farm.length}`,
          ip: `${proxies[Math.floor(random() * proxies.length)]}.${2 + Math.floor(random() * 250)}`,
        });
        room.leave(id, at + watch);
        at += watch + 20_000 + random() * 200_000;
      }
    }
    room.end(T0 + 60 * MIN);

    const { mine, accounts } = injected(withHonestCounts(room));

    expect(mine.some((finding) => finding.subjectType === 'room')).toBe(true);
    const rooted = farm.length * 0.7;
    expect(accounts.filter((id) => farm.includes(id)).length).toBeGreaterThanOrEqual(0.6 * rooted);
    expect(accounts.filter((id) => fans.includes(id))).toEqual([]);
  });

  it('keeps an audience clean whose rooted phones are the few percent of every OS, silent lurkers behind carrier NAT', () => {
    // A province's carrier NAT carries most of the room; one phone in twenty is rooted or jailbroken, on whatever OS
    // its owner runs, so the most common OS holds the most rooted phones only because it holds the most people. As in
    // most big rooms, almost nobody comments: everyone watches silently, half of them all stream; accounts are years old.
    const room = new RoomTraffic().start(T0);
    const random = rng(74);
    const audience: string[] = [];
    for (let i = 0; i < 900; i++) {
      const id = `nat-${i}`;
      audience.push(id);
      const joinAt = T0 + random() * 40 * MIN;
      room.join(id, joinAt, { ...honestIdentity(random, joinAt), rooted: random() < 0.05, ip: `112.97.${30 + (i % 6)}.${1 + Math.floor(random() * 250)}` });
      if (random() < 0.5) room.leave(id, T0 + 60 * MIN + random() * 30 * MIN);
      else {
        const leaveAt = joinAt + 6 * MIN + random() * 20 * MIN;
        if (random() < 0.03) room.comment(id, joinAt + random() * (leaveAt - joinAt), '主播好');
        room.leave(id, leaveAt);
      }
    }
    room.end(T0 + 90 * MIN);

    const { accounts } = injected(withHonestCounts(room));

    expect(accounts.filter((id) => audience.includes(id))).toEqual([]);
  });

  it('keeps households on carrier NAT clean, each passing a tablet between its accounts', () => {
    // Shared handsets and a shared network are one fact here (accounts on one tablet share its connection), not two.
    const room = new RoomTraffic().start(T0);
    const random = rng(63);
    for (let home = 0; home < 40; home++) {
      const tablet = `tablet-${home}`;
      const model = honestIdentity(random, T0).model;
      let at = T0 + random() * 30 * MIN;
      for (let member = 0; member < 3; member++) {
        const id = `home-${home}-${member}`;
        room.join(id, at, { ...honestIdentity(random, at), deviceId: tablet, model, ip: `112.97.${30 + (home % 4)}.${1 + Math.floor(random() * 250)}` });
        const watch = 6 * MIN + random() * 10 * MIN;
        room.leave(id, at + watch);
        at += watch + random() * 2 * MIN;
      }
    }
    room.end(T0 + 90 * MIN);

    expect(injected(withHonestCounts(room)).mine).toEqual([]);
  });
});
