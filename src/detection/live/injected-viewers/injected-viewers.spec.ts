import { DAY, T0, accountFindings, honestCrowd, rng, roomFindings, runEngine, RoomTraffic } from '../../../../test/support/detection/traffic.js';

const MIN = 60_000;

/** A farm batch: accounts created minutes apart two days ago, one emulator build, ten accounts per /24. */
function farmIdentity(i: number, batch = 0): { createdAt: number; model: string; os: string; emulator: boolean; deviceId: string; ip: string } {
  return {
    createdAt: T0 - 2 * DAY + batch * 3_600_000 + i * 20_000,
    model: 'SM-G9810',
    os: 'Android 9',
    emulator: true,
    deviceId: `farm-dev-${Math.floor(i / 4)}`,
    ip: `103.21.${40 + Math.floor(i / 10)}.${10 + (i % 10)}`,
  };
}

describe('injected viewers', () => {
  it('flags a room whose viewers join in fixed steps', () => {
    const room = new RoomTraffic().start(T0);
    honestCrowd(room, { prefix: 'fan', viewers: 120, from: T0, to: T0 + 20 * MIN, endAt: T0 + 30 * MIN, seed: 1 });
    const bots: string[] = [];
    for (let step = 0; step < 6; step++) {
      for (let i = 0; i < 40; i++) {
        const n = step * 40 + i;
        bots.push(`bot-${n}`);
        room.join(`bot-${n}`, T0 + 2 * MIN + step * 45_000 + i * 10, farmIdentity(n));
      }
    }
    room.end(T0 + 30 * MIN);

    const { findings } = runEngine(room.sorted());

    const [roomFinding] = roomFindings(findings, 'injected_viewers');
    expect(roomFinding).toBeDefined();
    const joinSteps = roomFinding.evidence.joinSteps as { totalBursts: number; stepSize: number; meanIntervalMs: number };
    expect(joinSteps.totalBursts).toBe(6);
    expect(joinSteps.stepSize).toBeGreaterThanOrEqual(40);
    expect(joinSteps.stepSize).toBeLessThanOrEqual(42);
    expect(joinSteps.meanIntervalMs).toBe(45_000);
    expect(roomFinding.severity).toBe('high');
    const flaggedAccounts = accountFindings(findings, 'injected_viewers').map((f) => f.subjectId);
    expect(flaggedAccounts.filter((id) => id.startsWith('bot-'))).toHaveLength(240);
    expect(flaggedAccounts.filter((id) => id.startsWith('fan-'))).toHaveLength(0);
    expect(roomFinding.detectedAt).toBeLessThanOrEqual(T0 + 10 * MIN);
  });

  it('flags a displayed count far above present accounts', () => {
    const room = new RoomTraffic().start(T0);
    honestCrowd(room, { prefix: 'fan', viewers: 60, from: T0, to: T0 + 5 * MIN, endAt: T0 + 20 * MIN, seed: 2, meanWatchMs: 60 * MIN });
    for (let t = T0 + 10_000; t < T0 + 20 * MIN; t += 10_000) room.count(t, 3_000 + ((t / 10_000) % 7) * 13);
    room.end(T0 + 20 * MIN);

    const { findings } = runEngine(room.sorted());

    const [roomFinding] = roomFindings(findings, 'injected_viewers');
    expect(roomFinding).toBeDefined();
    const inflation = roomFinding.evidence.displayedInflation as { peakRatio: number; sustainedMs: number };
    expect(inflation.peakRatio).toBeGreaterThan(40);
    expect(inflation.sustainedMs).toBeGreaterThanOrEqual(2 * MIN);
    expect(accountFindings(findings, 'injected_viewers')).toHaveLength(0);
  });

  it('flags a displayed count that rises in equal steps that present accounts do not explain', () => {
    const room = new RoomTraffic().start(T0);
    honestCrowd(room, { prefix: 'fan', viewers: 400, from: T0, to: T0 + 3 * MIN, endAt: T0 + 20 * MIN, seed: 3, meanWatchMs: 60 * MIN });
    let displayed = 400;
    for (let t = T0 + 4 * MIN; t < T0 + 9 * MIN; t += 10_000) {
      if ((t - T0) % 60_000 === 0) displayed += 200;
      room.count(t, displayed);
    }
    room.end(T0 + 20 * MIN);

    const { findings } = runEngine(room.sorted());

    const [roomFinding] = roomFindings(findings, 'injected_viewers');
    const steps = roomFinding.evidence.displayedSteps as { steps: number; stepSize: number };
    expect(steps.steps).toBe(4);
    expect(steps.stepSize).toBe(200);
  });

  it('flags a co-created cohort on shared subnets that trickles in, lurks and stays', () => {
    const room = new RoomTraffic().start(T0);
    honestCrowd(room, { prefix: 'fan', viewers: 150, from: T0, to: T0 + 20 * MIN, endAt: T0 + 40 * MIN, seed: 4 });
    for (let i = 0; i < 30; i++) {
      const identity = farmIdentity(i);
      room.join(`quiet-${i}`, T0 + MIN + i * 7_000, { ...identity, emulator: false, model: ['V2227A', 'CPH2451', 'RMX3700'][i % 3], deviceId: `q-${i}` });
    }
    room.end(T0 + 40 * MIN);

    const { findings } = runEngine(room.sorted());

    const [roomFinding] = roomFindings(findings, 'injected_viewers');
    expect(roomFinding).toBeDefined();
    const cohorts = roomFinding.evidence.cohorts as Array<{ group: string; signals: string[] }>;
    const created = cohorts.find((c) => c.group.startsWith('created:'));
    expect(created?.signals).toEqual(expect.arrayContaining(['passiveAndStaying', 'youngOrCoCreated', 'sharedNetwork']));
    const flagged = accountFindings(findings, 'injected_viewers').map((f) => f.subjectId);
    expect(flagged.filter((id) => id.startsWith('quiet-'))).toHaveLength(30);
    expect(flagged.filter((id) => id.startsWith('fan-'))).toHaveLength(0);
  });

  it('counts silent accounts that watched long and left on their own timers as staying', () => {
    const room = new RoomTraffic().start(T0);
    honestCrowd(room, { prefix: 'fan', viewers: 150, from: T0, to: T0 + 50 * MIN, endAt: T0 + 60 * MIN, seed: 6, commentShare: 0.2 });
    const random = rng(7);
    const farm: string[] = [];
    // Registered in one sitting 400 days ago, run on emulators from anywhere; each drifts in alone and leaves
    // 8–15 min later, so by the end of the stream none is still present.
    for (let i = 0; i < 30; i++) {
      const id = `timer-${i}`;
      farm.push(id);
      const joinAt = T0 + 2 * MIN + i * 50_000;
      room.join(id, joinAt, {
        createdAt: T0 - 400 * DAY + Math.round(random() * 6 * 3_600_000),
        model: 'SM-G9810',
        os: 'Android 9',
        emulator: true,
        deviceId: `timer-dev-${i}`,
        ip: `${40 + i}.${Math.floor(random() * 250)}.${Math.floor(random() * 250)}.9`,
      });
      room.leave(id, joinAt + (8 + random() * 7) * MIN);
    }
    room.end(T0 + 60 * MIN);

    const { findings } = runEngine(withHonestCounts(room));

    const [roomFinding] = roomFindings(findings, 'injected_viewers');
    const cohorts = (roomFinding?.evidence.cohorts ?? []) as Array<{ signals: string[] }>;
    expect(cohorts.some((c) => c.signals.includes('passiveAndStaying'))).toBe(true);
    const flagged = accountFindings(findings, 'injected_viewers').map((f) => f.subjectId);
    expect(flagged.filter((id) => farm.includes(id))).toHaveLength(30);
    expect(flagged.filter((id) => id.startsWith('fan-'))).toEqual([]);
  });

  it('flags phones that tap like in lockstep, burst after burst', () => {
    const room = new RoomTraffic().start(T0);
    honestCrowd(room, { prefix: 'fan', viewers: 200, from: T0, to: T0 + 30 * MIN, endAt: T0 + 45 * MIN, seed: 11, likeShare: 0.5 });
    // Old accounts (created over two months) on assorted rooted handsets and networks, trickling in one by one:
    // nothing joins in batches, nothing is young or co-created, no device or /24 is shared.
    const random = rng(12);
    const phones: string[] = [];
    for (let i = 0; i < 30; i++) {
      const id = `phone-${i}`;
      phones.push(id);
      const joinAt = T0 + MIN + i * 20_000;
      room.join(id, joinAt, { ...honestIdentity(random, joinAt), createdAt: T0 - (40 + i * 2) * DAY, rooted: true });
    }
    // A keen silent viewer on a rooted phone who stays and taps like all stream long, now and then in a farm's second.
    room.join('keen', T0 + 2 * MIN, { ...honestIdentity(random, T0 + 2 * MIN), rooted: true });
    for (let t = T0 + 3 * MIN; t < T0 + 44 * MIN; t += 47_000) room.like('keen', t, 3);
    // The control software taps like on a random ~half of the phones at once, every two minutes or so.
    for (let tap = T0 + 12 * MIN; tap < T0 + 40 * MIN; tap += 100_000 + Math.round(random() * 40_000)) {
      for (const id of phones) if (random() < 0.6) room.like(id, tap + random() * 1_500, 10);
      room.like('keen', tap + 700, 3);
    }
    room.end(T0 + 45 * MIN);

    const { findings } = runEngine(withHonestCounts(room));

    const [roomFinding] = roomFindings(findings, 'injected_viewers');
    expect(roomFinding).toBeDefined();
    const cohorts = roomFinding.evidence.cohorts as Array<{ group: string; signals: string[] }>;
    expect(cohorts.find((c) => c.group === 'likes:lockstep')?.signals).toContain('likedInLockstep');
    const flagged = accountFindings(findings, 'injected_viewers').map((f) => f.subjectId);
    expect(flagged.filter((id) => id.startsWith('phone-')).length).toBeGreaterThanOrEqual(25);
    expect(flagged.filter((id) => id.startsWith('fan-'))).toHaveLength(0);
    // Most of the keen viewer's taps fall outside the bursts: a person, not the script.
    expect(flagged).not.toContain('keen');

    // The same room without the taps: passive rooted phones alone are two families, not a verdict.
    const untapped = room.sorted().filter((e) => !(e.type === 'like' && e.accountId.startsWith('phone-')));
    expect(runEngine(untapped).findings.filter((f) => f.kind === 'injected_viewers')).toHaveLength(0);
  });

  it("keeps a crowd liking on the host's cue clean", () => {
    const room = new RoomTraffic().start(T0);
    honestCrowd(room, { prefix: 'fan', viewers: 150, from: T0, to: T0 + 20 * MIN, endAt: T0 + 50 * MIN, seed: 13 });
    // 120 silent lurkers who stay, on rooted phones at home (two families already: silent stayers, tampered builds),
    // answer every one of the host's five "tap like!" calls. Stream latency and reaction time spread each
    // answer over several seconds: a crowd, not a script.
    const random = rng(14);
    const lurkers: string[] = [];
    for (let i = 0; i < 120; i++) {
      const id = `lurker-${i}`;
      lurkers.push(id);
      const joinAt = T0 + random() * 10 * MIN;
      room.join(id, joinAt, { ...honestIdentity(random, joinAt), rooted: true, ip: `${100 + (i % 100)}.${i}.7.${1 + Math.floor(random() * 250)}` });
    }
    for (let cue = 0; cue < 5; cue++) {
      const calledAt = T0 + (15 + cue * 6) * MIN;
      for (const id of lurkers) {
        if (random() < 0.8) room.like(id, calledAt + 2_000 + random() * 6_000 + random() * 4_000, 1 + Math.floor(random() * 30));
      }
    }
    room.end(T0 + 50 * MIN);

    const { findings } = runEngine(withHonestCounts(room));

    expect(findings.filter((f) => f.kind === 'injected_viewers')).toHaveLength(0);
  });

  it("names a silent account on a flagged account's handset, but not a talker on it nor a /24 neighbour", () => {
    const room = new RoomTraffic().start(T0);
    honestCrowd(room, { prefix: 'fan', viewers: 150, from: T0, to: T0 + 20 * MIN, endAt: T0 + 40 * MIN, seed: 15 });
    // A flagged cohort: co-created emulator accounts, four per device, that lurk and stay.
    for (let i = 0; i < 24; i++) room.join(`bot-${i}`, T0 + MIN + i * 7_000, farmIdentity(i));
    const random = rng(16);
    // More accounts on the same handsets (so the same emulator build), joining on their own, old, on other
    // networks: their groups say little.
    const extra = (id: string, i: number, joinAt: number): void => {
      room.join(id, joinAt, { ...honestIdentity(random, joinAt), model: 'SM-G9810', os: 'Android 9', emulator: true, deviceId: `farm-dev-${i}` });
    };
    extra('sibling-0', 0, T0 + 9 * MIN);
    extra('sibling-1', 1, T0 + 14 * MIN);
    extra('sibling-2', 2, T0 + 19 * MIN);
    // One on a farm handset that talks (a person borrowed it), one that left after a minute.
    extra('talker', 3, T0 + 11 * MIN);
    room.comment('talker', T0 + 13 * MIN, '这个颜色好看吗');
    extra('brief', 4, T0 + 16 * MIN);
    room.leave('brief', T0 + 17 * MIN);
    // An honest viewer in the farm's /24 (carrier NAT), on her own phone.
    room.join('neighbour', T0 + 10 * MIN, { ...honestIdentity(random, T0 + 10 * MIN), ip: '103.21.40.99' });
    room.end(T0 + 40 * MIN);

    const { findings } = runEngine(withHonestCounts(room));

    const accounts = accountFindings(findings, 'injected_viewers');
    const flagged = accounts.map((f) => f.subjectId);
    expect(flagged.filter((id) => id.startsWith('bot-'))).toHaveLength(24);
    expect(flagged.filter((id) => id.startsWith('sibling-')).sort()).toEqual(['sibling-0', 'sibling-1', 'sibling-2']);
    expect(flagged).not.toContain('talker');
    expect(flagged).not.toContain('brief');
    expect(flagged).not.toContain('neighbour');
    expect(flagged.filter((id) => id.startsWith('fan-'))).toHaveLength(0);
    const sibling = accounts.find((f) => f.subjectId === 'sibling-0');
    expect(sibling?.evidence.linkedThroughDevice).toMatchObject({ deviceId: 'farm-dev-0', talked: false });
  });

  it('keeps a viral surge of real viewers clean', () => {
    const room = new RoomTraffic().start(T0);
    honestCrowd(room, { prefix: 'early', viewers: 200, from: T0, to: T0 + 10 * MIN, endAt: T0 + 40 * MIN, seed: 5 });
    // A clip goes viral: 3 000 viewers pour in over two minutes, a ramp, not cliffs.
    const random = rng(6);
    for (let i = 0; i < 3_000; i++) {
      const u = random();
      const joinAt = T0 + 12 * MIN + Math.sqrt(u) * 2 * MIN;
      room.join(`surge-${i}`, joinAt, { ...honestIdentity(random, joinAt) });
      if (random() < 0.15) room.like(`surge-${i}`, joinAt + 20_000);
      const watch = -Math.log(1 - random()) * 6 * MIN;
      if (joinAt + watch < T0 + 40 * MIN) room.leave(`surge-${i}`, joinAt + watch);
    }
    for (let t = T0; t < T0 + 40 * MIN; t += 10_000) room.count(t, 0);
    room.end(T0 + 40 * MIN);
    // viewer.count mirrors presence: rebuild it from the joins and leaves so far.
    const events = withHonestCounts(room);

    const { findings } = runEngine(events);

    expect(findings.filter((f) => f.kind === 'injected_viewers')).toHaveLength(0);
  });

  it('keeps a flash-sale rush clean', () => {
    const room = new RoomTraffic().start(T0);
    honestCrowd(room, { prefix: 'regular', viewers: 150, from: T0, to: T0 + 10 * MIN, endAt: T0 + 30 * MIN, seed: 7 });
    const random = rng(8);
    for (let i = 0; i < 800; i++) {
      const joinAt = T0 + 10 * MIN + random() * 40_000;
      // A promo brings many new accounts: a third were made this week.
      const identity = honestIdentity(random, joinAt);
      if (i % 3 === 0) identity.createdAt = joinAt - Math.round(random() * 6 * DAY);
      room.join(`buyer-${i}`, joinAt, identity);
      if (random() < 0.55) room.order(`buyer-${i}`, joinAt + 5_000 + random() * 60_000);
      else if (random() < 0.5) room.comment(`buyer-${i}`, joinAt + random() * 60_000, '上链接');
      if (random() < 0.7) room.leave(`buyer-${i}`, joinAt + 90_000 + random() * 5 * MIN);
    }
    room.end(T0 + 30 * MIN);

    const { findings } = runEngine(withHonestCounts(room));

    expect(findings.filter((f) => f.kind === 'injected_viewers')).toHaveLength(0);
  });

  it('keeps a campus crowd behind one subnet clean', () => {
    const room = new RoomTraffic().start(T0);
    const random = rng(9);
    for (let i = 0; i < 60; i++) {
      const joinAt = T0 + random() * 25 * MIN;
      room.join(`student-${i}`, joinAt, { ...honestIdentity(random, joinAt), ip: `166.111.8.${10 + i}` });
      if (random() < 0.5) room.leave(`student-${i}`, joinAt + random() * 10 * MIN);
    }
    room.end(T0 + 30 * MIN);

    const { findings } = runEngine(withHonestCounts(room));

    expect(findings.filter((f) => f.kind === 'injected_viewers')).toHaveLength(0);
  });
});

import { honestIdentity } from '../../../../test/support/detection/traffic.js';
import type { RoomEvent } from '../../../events/event.schema.js';

/** Replaces every viewer.count with the number of accounts present at that moment (an honest counter). */
function withHonestCounts(room: RoomTraffic): RoomEvent[] {
  let present = 0;
  const out: RoomEvent[] = [];
  for (const event of room.sorted()) {
    if (event.type === 'viewer.joined') present++;
    if (event.type === 'viewer.left') present--;
    out.push(event.type === 'viewer.count' ? { ...event, displayed: present } : event);
  }
  return out;
}
