import { DAY, T0, accountFindings, honestCrowd, honestIdentity, rng, withHonestCounts, roomFindings, runEngine, RoomTraffic } from '../../../../test/support/detection/traffic.js';

/**
 * Issue 18: machine-swiping software injects viewers in steps and has part
 * of them post the script. Talking is no proof of a person when the talk is
 * scripted, so both reports stand on the room, each naming its own accounts;
 * honest rooms where many real viewers talk stay clean.
 */

const MIN = 60_000;

const TEMPLATES = ['这款面霜真的好用，已经回购{n}次了', '主播推荐的都很靠谱，第{n}单了', '质量没得说，家里人都在用，买了{n}瓶'];

/** The farm: 400 rooted emulator accounts on one /24, made three days ago, 50 every 60 s, 30 of each 50 posting every 30 s. */
function machineSwipingFarm(room: RoomTraffic, startAt: number, endAt: number): { talkers: string[]; silent: string[] } {
  const random = rng(181);
  const talkers: string[] = [];
  const silent: string[] = [];
  for (let step = 0; step < 8; step++) {
    const stepAt = startAt + step * 60_000;
    for (let i = 0; i < 50; i++) {
      const n = step * 50 + i;
      const id = `swipe-${n}`;
      room.join(id, stepAt + i * 20, {
        createdAt: T0 - 3 * DAY + Math.round(random() * 2 * 3_600_000),
        model: 'SM-G9810',
        os: 'Android 9',
        emulator: true,
        rooted: true,
        deviceId: `emu-${n}`,
        ip: `103.45.67.${1 + (n % 250)}`,
      });
      if (i < 30) {
        talkers.push(id);
        const template = TEMPLATES[n % TEMPLATES.length];
        for (let t = stepAt + 5_000 + i * 100; t < endAt - 1_000; t += 30_000) room.comment(id, t, template.replace('{n}', String(2 + Math.floor(random() * 8))));
      } else {
        silent.push(id);
      }
    }
  }
  return { talkers, silent };
}

describe('a farm that also talks', () => {
  it('is reported as injected viewers naming its 160 silent accounts (and its talkers), and as scripted comments naming its talkers', () => {
    const room = new RoomTraffic().start(T0);
    honestCrowd(room, { prefix: 'fan', viewers: 150, from: T0, to: T0 + 20 * MIN, endAt: T0 + 30 * MIN, seed: 180, meanWatchMs: 15 * MIN, commentShare: 0.3 });
    const farm = machineSwipingFarm(room, T0 + 2 * MIN, T0 + 30 * MIN);
    room.end(T0 + 30 * MIN);

    const { findings } = runEngine(withHonestCounts(room));

    expect(roomFindings(findings, 'injected_viewers')).toHaveLength(1);
    expect(roomFindings(findings, 'scripted_comments')).toHaveLength(1);
    const viewers = accountFindings(findings, 'injected_viewers').map((f) => f.subjectId);
    const scripted = accountFindings(findings, 'scripted_comments').map((f) => f.subjectId);
    expect(farm.silent.filter((id) => !viewers.includes(id))).toEqual([]);
    // The talkers are injected viewers too: each of them carries both kinds.
    expect(farm.talkers.filter((id) => viewers.includes(id)).length).toBeGreaterThanOrEqual(230);
    expect(scripted.filter((id) => farm.talkers.includes(id)).length).toBeGreaterThanOrEqual(230);
    expect(scripted.filter((id) => farm.silent.includes(id))).toEqual([]);
    expect([...viewers, ...scripted].filter((id) => id.startsWith('fan-'))).toEqual([]);
    // Its cohorts were judged on silent and scripted members together: 30 of each step's 50 talk the script.
    const evidence = roomFindings(findings, 'injected_viewers')[0].evidence as { cohorts: Array<{ members: number; scriptedAccounts: number }>; joinSteps: { totalBursts: number } | null };
    expect(evidence.joinSteps?.totalBursts).toBe(8);
    expect(evidence.cohorts.filter((c) => c.scriptedAccounts >= 0.5 * c.members).length).toBeGreaterThan(0);
  });

  it('keeps a crowd typing "1" on the host\'s cue clean', () => {
    const room = new RoomTraffic().start(T0);
    honestCrowd(room, { prefix: 'fan', viewers: 300, from: T0, to: T0 + 10 * MIN, endAt: T0 + 40 * MIN, seed: 182, meanWatchMs: 40 * MIN });
    const random = rng(183);
    // A stream that arrived together after a share, on the host's "type 1 if you want it" five times.
    for (let i = 0; i < 200; i++) {
      const joinAt = T0 + 5 * MIN + random() * 40_000;
      room.join(`shared-${i}`, joinAt, honestIdentity(random, joinAt));
    }
    for (let cue = 0; cue < 5; cue++) {
      const at = T0 + (10 + cue * 5) * MIN;
      for (let i = 0; i < 200; i++) if (random() < 0.7) room.comment(`shared-${i}`, at + 1_500 + random() * 12_000, random() < 0.8 ? '1' : '111');
    }
    room.end(T0 + 40 * MIN);

    const { findings } = runEngine(withHonestCounts(room));

    expect(findings.filter((f) => f.kind === 'injected_viewers' || f.kind === 'scripted_comments')).toEqual([]);
  });

  it('keeps a lucky-bag draw, hundreds posting the entry phrase, clean', () => {
    const room = new RoomTraffic().start(T0);
    honestCrowd(room, { prefix: 'fan', viewers: 100, from: T0, to: T0 + 10 * MIN, endAt: T0 + 45 * MIN, seed: 184, meanWatchMs: 40 * MIN });
    const random = rng(185);
    // The draw brings a crowd of old and new accounts alike, each typing the entry phrase every draw, five minutes apart.
    for (let i = 0; i < 250; i++) {
      const joinAt = T0 + 3 * MIN + random() * 6 * MIN;
      const identity = honestIdentity(random, joinAt);
      if (i % 4 === 0) identity.createdAt = joinAt - Math.round(random() * 5 * DAY);
      room.join(`bag-${i}`, joinAt, identity);
      for (let draw = 0; draw < 6; draw++) {
        if (random() < 0.85) room.comment(`bag-${i}`, T0 + (10 + draw * 5) * MIN + random() * 60_000, '抢福袋，主播大气！');
      }
    }
    room.end(T0 + 45 * MIN);

    const { findings } = runEngine(withHonestCounts(room));

    expect(findings.filter((f) => f.kind === 'injected_viewers' || f.kind === 'scripted_comments')).toEqual([]);
  });

  it('keeps a viral surge that floods in and chats clean', () => {
    const room = new RoomTraffic().start(T0);
    honestCrowd(room, { prefix: 'early', viewers: 150, from: T0, to: T0 + 10 * MIN, endAt: T0 + 40 * MIN, seed: 186 });
    const random = rng(187);
    for (let i = 0; i < 2_000; i++) {
      const joinAt = T0 + 12 * MIN + Math.sqrt(random()) * 2 * MIN;
      room.join(`surge-${i}`, joinAt, honestIdentity(random, joinAt));
      if (random() < 0.3) room.comment(`surge-${i}`, joinAt + random() * 5 * MIN, ['哈哈哈哈', '从推荐过来的', '主播好', 'lol', '666'][Math.floor(random() * 5)]);
      const watch = -Math.log(1 - random()) * 6 * MIN;
      if (joinAt + watch < T0 + 40 * MIN) room.leave(`surge-${i}`, joinAt + watch);
    }
    room.end(T0 + 40 * MIN);

    const { findings } = runEngine(withHonestCounts(room));

    expect(findings.filter((f) => f.kind === 'injected_viewers' || f.kind === 'scripted_comments')).toEqual([]);
  });
});
