import type { RoomEvent } from '../../../events/event.schema.js';
import { DAY, T0, accountFindings, honestCrowd, honestIdentity, rng, roomFindings, runEngine, RoomTraffic, withHonestCounts } from '../../../../test/support/detection/traffic.js';

/**
 * Accounts per handset over a stream (issue 10, aged farms and cloud
 * phones): a phone that runs several accounts at once, or a seat that logs
 * in account after account, is a farm's; a tablet passed around a family is not.
 */

const MIN = 60_000;
const HOUR = 3_600_000;
const MODELS = ['iPhone15,2', 'SM-S918B', 'V2227A', 'M2102J20SG', 'CPH2451', 'Pixel 8'];

function injected(events: readonly RoomEvent[]) {
  const { findings } = runEngine(events);
  const [room] = roomFindings(findings, 'injected_viewers');
  return { room, accounts: accountFindings(findings, 'injected_viewers').map((f) => f.subjectId) };
}

function signalsOf(room: { evidence: Record<string, unknown> } | undefined): string[] {
  return [...new Set(((room?.evidence.cohorts ?? []) as Array<{ signals: string[] }>).flatMap((c) => c.signals))];
}

describe('farm handsets', () => {
  it('flags aged accounts run several at a time on a pool of phones', () => {
    const room = new RoomTraffic().start(T0);
    honestCrowd(room, { prefix: 'fan', viewers: 200, from: T0, to: T0 + 50 * MIN, endAt: T0 + 60 * MIN, seed: 81, commentShare: 0.2 });
    const random = rng(82);
    const farm: string[] = [];
    // Twelve phones of assorted models on two /24s, three accounts each, a year or two old and created months
    // apart: drifting in one by one over 40 min, each watching 10–25 min on its own timer.
    for (let i = 0; i < 36; i++) {
      const id = `aged-${i}`;
      farm.push(id);
      const phone = i % 12;
      const joinAt = T0 + 2 * MIN + i * 65_000 + random() * 20_000;
      room.join(id, joinAt, {
        createdAt: T0 - (365 + Math.floor(random() * 365)) * DAY,
        model: MODELS[phone % MODELS.length],
        os: 'Android 13',
        deviceId: `phone-${phone}`,
        ip: `${phone % 2 === 0 ? '117.50.3' : '117.50.9'}.${10 + phone}`,
      });
      room.leave(id, joinAt + (10 + random() * 15) * MIN);
    }
    room.end(T0 + 60 * MIN);

    const { room: verdict, accounts } = injected(withHonestCounts(room));

    expect(signalsOf(verdict)).toContain('handsetPool');
    expect(accounts.filter((id) => farm.includes(id)).length).toBeGreaterThanOrEqual(32);
    expect(accounts.filter((id) => id.startsWith('fan-'))).toEqual([]);
  });

  /** `seats` cloud-phone seats, each on its own timer, logging account after account in through rotating proxies. */
  function seatRotation(room: RoomTraffic, seats: number, slotMs: (random: () => number) => number, seed: number): string[] {
    const random = rng(seed);
    const farm: string[] = [];
    for (let seat = 0; seat < seats; seat++) {
      let at = T0 + MIN + random() * 3 * MIN;
      for (let turn = 0; at < T0 + 55 * MIN; turn++) {
        const id = `seat-${seat}-${turn}`;
        farm.push(id);
        const watch = slotMs(random);
        room.join(id, at, {
          createdAt: T0 - Math.round((60 + random() * 900) * DAY),
          model: 'V2197A',
          os: 'Android 11',
          deviceId: `seat-${seat}`,
          ip: `${1 + Math.floor(random() * 220)}.${Math.floor(random() * 250)}.${Math.floor(random() * 250)}.${2 + turn}`,
        });
        room.leave(id, at + watch);
        // Logging out and the next account in takes the software a few seconds.
        at += watch + 2_000 + random() * 8_000;
      }
    }
    return farm;
  }

  it('flags cloud-phone seats logging in account after account through rotating proxies', () => {
    const room = new RoomTraffic().start(T0);
    honestCrowd(room, { prefix: 'fan', viewers: 200, from: T0, to: T0 + 50 * MIN, endAt: T0 + 60 * MIN, seed: 83, commentShare: 0.2 });
    // Ten seats, an account watching 6–9 min each turn. Accounts bought from everywhere, so their ages and
    // networks say nothing.
    const farm = seatRotation(room, 10, (random) => (6 + random() * 3) * MIN, 84);
    room.end(T0 + 60 * MIN);

    const { room: verdict, accounts } = injected(withHonestCounts(room));

    expect(signalsOf(verdict)).toContain('handsetPool');
    expect(accounts.filter((id) => farm.includes(id)).length).toBeGreaterThanOrEqual(0.9 * farm.length);
    expect(accounts.filter((id) => id.startsWith('fan-'))).toEqual([]);
  });

  it('counts a seat handed to the next account within seconds as a slot ending, however short the slot', () => {
    const room = new RoomTraffic().start(T0);
    honestCrowd(room, { prefix: 'fan', viewers: 200, from: T0, to: T0 + 50 * MIN, endAt: T0 + 60 * MIN, seed: 89, commentShare: 0.2 });
    // Slots of 1.5–3.5 min: each account is gone long before it could count as staying.
    const farm = seatRotation(room, 10, (random) => (1.5 + random() * 2) * MIN, 90);
    room.end(T0 + 60 * MIN);

    const { room: verdict, accounts } = injected(withHonestCounts(room));

    expect(signalsOf(verdict)).toEqual(expect.arrayContaining(['passiveAndStaying', 'handsetPool']));
    expect(accounts.filter((id) => farm.includes(id)).length).toBeGreaterThanOrEqual(0.9 * farm.length);
    expect(accounts.filter((id) => id.startsWith('fan-'))).toEqual([]);
  });

  it('flags seats that report a new model at every login and wait minutes in the queue between accounts', () => {
    const room = new RoomTraffic().start(T0);
    honestCrowd(room, { prefix: 'fan', viewers: 200, from: T0, to: T0 + 50 * MIN, endAt: T0 + 60 * MIN, seed: 95, commentShare: 0.2 });
    const random = rng(96);
    // Eight seats; each account watches 2–4 min, then the seat idles 1–4 min before the next account logs in,
    // and the build's "new device" button makes every login report another popular model.
    const farm: string[] = [];
    for (let seat = 0; seat < 8; seat++) {
      let at = T0 + MIN + random() * 3 * MIN;
      for (let turn = 0; at < T0 + 55 * MIN; turn++) {
        const id = `spoof-${seat}-${turn}`;
        farm.push(id);
        const watch = (2 + random() * 2) * MIN;
        room.join(id, at, {
          createdAt: T0 - Math.round((60 + random() * 900) * DAY),
          model: MODELS[Math.floor(random() * MODELS.length)],
          os: 'Android 11',
          deviceId: `spoof-seat-${seat}`,
          ip: `${1 + Math.floor(random() * 220)}.${Math.floor(random() * 250)}.${Math.floor(random() * 250)}.${2 + turn}`,
        });
        room.leave(id, at + watch);
        at += watch + (1 + random() * 3) * MIN;
      }
    }
    room.end(T0 + 60 * MIN);

    const { room: verdict, accounts } = injected(withHonestCounts(room));

    expect(signalsOf(verdict)).toEqual(expect.arrayContaining(['passiveAndStaying', 'handsetPool']));
    expect(accounts.filter((id) => farm.includes(id)).length).toBeGreaterThanOrEqual(0.9 * farm.length);
    expect(accounts.filter((id) => id.startsWith('fan-'))).toEqual([]);
  });

  it('flags a few seats carrying a hundred accounts each', () => {
    const room = new RoomTraffic().start(T0);
    honestCrowd(room, { prefix: 'fan', viewers: 200, from: T0, to: T0 + 50 * MIN, endAt: T0 + 60 * MIN, seed: 93, commentShare: 0.2 });
    // Four seats pumping the room's cumulative viewer count: a new account every half minute or so on each.
    const farm = seatRotation(room, 4, (random) => (20 + random() * 20) * 1_000, 94);
    room.end(T0 + 60 * MIN);

    const { accounts } = injected(withHonestCounts(room));

    expect(farm.length).toBeGreaterThan(300);
    expect(accounts.filter((id) => farm.includes(id)).length).toBeGreaterThanOrEqual(0.9 * farm.length);
    expect(accounts.filter((id) => id.startsWith('fan-'))).toEqual([]);
  });

  it('names no talker of a viewer farm it joined with, even one on a farm handset of its own', () => {
    const room = new RoomTraffic().start(T0);
    honestCrowd(room, { prefix: 'fan', viewers: 150, from: T0, to: T0 + 40 * MIN, endAt: T0 + 50 * MIN, seed: 87, commentShare: 0.2 });
    const random = rng(88);
    // A silent viewer farm: 40 accounts on ten phones, four at a time each, joining within two seconds.
    const viewers: string[] = [];
    for (let i = 0; i < 40; i++) {
      viewers.push(`viewer-${i}`);
      room.join(`viewer-${i}`, T0 + 5 * MIN + i * 40, { createdAt: T0 - 300 * DAY, model: 'SM-A546E', os: 'Android 13', deviceId: `farm-phone-${i % 10}`, ip: `103.45.67.${1 + i}` });
    }
    // Sixteen aged accounts on four phones that chat (each their own words, so no script is found). Two of them,
    // on one phone, log in in the half minute the viewer farm joined: they carry its batch, shared handsets and
    // the pool, but they talk.
    const talkers: string[] = [];
    for (let i = 0; i < 16; i++) {
      const id = `talker-${i}`;
      talkers.push(id);
      const joinAt = i < 2 ? T0 + 5 * MIN + 12_000 + i * 2_000 : T0 + 2 * MIN + random() * 8 * MIN;
      room.join(id, joinAt, { createdAt: T0 - 500 * DAY, model: 'V2227A', os: 'Android 13', deviceId: `talker-phone-${i >> 2}`, ip: `58.20.${i >> 2}.9` });
      for (let t = joinAt + 20_000 + random() * 60_000; t < T0 + 48 * MIN; t += 60_000 + random() * 240_000) room.comment(id, t, `${['主播', '这个', '请问', '好看'][i % 4]}${Math.floor(random() * 1e6).toString(36)}`);
    }
    room.end(T0 + 50 * MIN);

    const { findings } = runEngine(withHonestCounts(room));

    const named = accountFindings(findings, 'injected_viewers').map((f) => f.subjectId);
    expect(viewers.filter((id) => named.includes(id))).toHaveLength(40);
    expect(talkers.filter((id) => named.includes(id))).toEqual([]);
  });

  it.each([
    ['reported by phones of every model', (i: number) => MODELS[i % MODELS.length]],
    ['one firmware reports on every unit, with a dozen of its owners watching at once', () => 'V2227A'],
  ])('links no stranger through a device id %s', (_case, modelOf) => {
    const room = new RoomTraffic().start(T0);
    honestCrowd(room, { prefix: 'fan', viewers: 150, from: T0, to: T0 + 40 * MIN, endAt: T0 + 50 * MIN, seed: 91, commentShare: 0.2 });
    const random = rng(92);
    // A flagged farm: 30 emulators joining within seconds, one of them reporting the broken id.
    for (let i = 0; i < 30; i++) {
      room.join(`emu-${i}`, T0 + 3 * MIN + i * 50, { createdAt: T0 - 3 * DAY, model: 'V2227A', os: 'Android 13', emulator: true, deviceId: i === 0 ? 'zero-id' : `emu-dev-${i}`, ip: `103.45.67.${1 + i}` });
    }
    // Twenty people whose phones report the same broken id, silent and watching a long while.
    const strangers: string[] = [];
    for (let i = 0; i < 20; i++) {
      const id = `stranger-${i}`;
      strangers.push(id);
      const joinAt = T0 + 2 * MIN + random() * 8 * MIN;
      room.join(id, joinAt, { ...honestIdentity(random, joinAt), model: modelOf(i), deviceId: 'zero-id' });
      room.leave(id, joinAt + (20 + random() * 10) * MIN);
    }
    room.end(T0 + 50 * MIN);

    const { accounts } = injected(withHonestCounts(room));

    expect(accounts.filter((id) => id.startsWith('emu-')).length).toBeGreaterThanOrEqual(29);
    expect(accounts.filter((id) => strangers.includes(id))).toEqual([]);
  });

  it('keeps families passing a tablet around behind one carrier NAT clean', () => {
    const room = new RoomTraffic().start(T0);
    honestCrowd(room, { prefix: 'fan', viewers: 200, from: T0, to: T0 + 50 * MIN, endAt: T0 + 60 * MIN, seed: 85, commentShare: 0.2 });
    const random = rng(86);
    // Eight families on one carrier /24, each with a tablet two people use one after the other, and a dozen
    // other lurkers behind the same NAT: all silent, all watching a long while.
    const nat = (): string => `112.96.40.${2 + Math.floor(random() * 6)}`;
    for (let family = 0; family < 8; family++) {
      const first = T0 + 2 * MIN + random() * 20 * MIN;
      const handover = first + (12 + random() * 10) * MIN;
      for (const [member, joinAt, leaveAt] of [
        [0, first, handover],
        [1, handover + 20_000 + random() * 40_000, handover + (15 + random() * 10) * MIN],
      ] as const) {
        const id = `family-${family}-${member}`;
        room.join(id, joinAt, { ...honestIdentity(random, joinAt), deviceId: `tablet-${family}`, model: 'MatePad 11', ip: nat() });
        if (leaveAt < T0 + 60 * MIN - 1) room.leave(id, leaveAt);
      }
    }
    for (let i = 0; i < 12; i++) {
      const joinAt = T0 + 2 * MIN + random() * 40 * MIN;
      room.join(`lurker-${i}`, joinAt, { ...honestIdentity(random, joinAt), ip: nat() });
      room.leave(`lurker-${i}`, joinAt + (10 + random() * 10) * MIN);
    }
    room.end(T0 + HOUR);

    const { room: verdict } = injected(withHonestCounts(room));

    expect(verdict).toBeUndefined();
  });
});
