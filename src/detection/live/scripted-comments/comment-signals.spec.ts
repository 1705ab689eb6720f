import type { DeepPartial, EngineConfig } from '../../engine/engine.js';
import { DAY, T0, accountFindings, honestCrowd, honestIdentity, rng, roomFindings, runEngine, RoomTraffic, type JoinOptions } from '../../../../test/support/detection/traffic.js';

/**
 * One case per who-signal of the scripted-comments detector: a campaign
 * that only that signal (with one other) gives away, caught with the
 * default config and missed with the signal switched off; then honest chat
 * that repeats itself and must stay clean.
 */

const MIN = 60_000;
const SEC = 1_000;
const HOUR = 3_600_000;

interface CohortEvidence {
  kind: string;
  signals: string[];
  implicatedAccounts: number;
}

function run(room: RoomTraffic, config?: DeepPartial<EngineConfig>) {
  const { findings } = runEngine(room.sorted(), config);
  const [roomFinding] = roomFindings(findings, 'scripted_comments');
  const named = accountFindings(findings, 'scripted_comments').map((f) => f.subjectId);
  const cohorts = (roomFinding?.evidence.cohorts ?? []) as CohortEvidence[];
  return { roomFinding, named, cohorts, all: findings.filter((f) => f.kind === 'scripted_comments') };
}

function background(room: RoomTraffic, seed: number, from: number, to: number, viewers = 150): void {
  honestCrowd(room, { prefix: `fan${seed}`, viewers, from, to, endAt: to + 5 * MIN, seed, commentShare: 0.6, meanWatchMs: 20 * MIN });
}

/** Accounts registered in one sitting three weeks ago, each on its own phone and network: only their origin ties them. */
function coCreated(random: () => number, i: number, at: number): JoinOptions {
  return { ...honestIdentity(random, at), createdAt: T0 - 21 * DAY + i * 90_000 };
}

const jitter = (random: () => number, gapMs: number, share: number): number => (random() * 2 - 1) * share * gapMs;

/** Chatty viewers posting in human bursts (seconds to minutes apart): they set the room's posting floor low. */
function chatters(room: RoomTraffic, random: () => number, from: number, to: number): void {
  const lines = ['主播好', '这个颜色好看吗', '有没有大码', '哈哈哈哈', '刚下单了', '什么时候发货', '质量怎么样啊', '包邮吗', '求讲解一下'];
  for (let i = 0; i < 80; i++) {
    const id = `chatter-${i}`;
    room.join(id, from, honestIdentity(random, from));
    for (let t = from + random() * 5 * MIN; t < to; t += Math.exp(Math.log(20 * SEC) + 1.2 * (random() * 2 - 1))) room.comment(id, t, lines[Math.floor(random() * lines.length)]);
  }
}

describe('scripted-comment signals', () => {
  describe('clockedPosts: a template posted on a clock by whoever posts it', () => {
    function relayChain(): RoomTraffic {
      const room = new RoomTraffic().start(T0);
      background(room, 1, T0, T0 + 30 * MIN);
      const random = rng(2);
      // One line passed along 30 accounts, each posting it once, 12 s after the previous.
      for (let i = 0; i < 30; i++) {
        const at = T0 + 10 * MIN + i * 12 * SEC + jitter(random, 12 * SEC, 0.1);
        room.join(`chain-${i}`, at - 40 * SEC, coCreated(random, i, at));
        room.comment(`chain-${i}`, at, i % 3 === 0 ? '这个价格太香了，赶紧冲，晚了就没了！！' : i % 3 === 1 ? '这个价格太香了，抓紧冲，晚了就抢不到了🔥' : '這個價格太香了，趕緊冲，晚了就没了～');
      }
      return room.end(T0 + 35 * MIN);
    }

    it('links a chain of co-created accounts passing one line along', () => {
      const { cohorts, named } = run(relayChain());
      const cohort = cohorts.find((c) => c.kind === 'template');
      expect(cohort?.signals).toEqual(['youngOrCoCreated', 'clockedPosts']);
      expect(named.filter((id) => id.startsWith('chain-')).length).toBeGreaterThanOrEqual(28);
      expect(named.filter((id) => !id.startsWith('chain-'))).toEqual([]);
    });

    it('misses it without the clock: their origin alone condemns no one', () => {
      expect(run(relayChain(), { scriptedComments: { clock: { minGaps: 10_000 } } }).all).toEqual([]);
    });
  });

  describe('turnTaking: a ring asking one question in turn', () => {
    function ring(): RoomTraffic {
      const room = new RoomTraffic().start(T0);
      background(room, 3, T0, T0 + 50 * MIN);
      const random = rng(4);
      const members = Array.from({ length: 6 }, (_, i) => `ring-${i}`);
      for (const id of members) room.join(id, T0 + random() * 3 * MIN, honestIdentity(random, T0));
      let at = T0 + 6 * MIN;
      // Stretches of three rounds, pauses of 2 to 7 minutes between them: no account keeps a rhythm of its own.
      for (let stretch = 0; stretch < 6; stretch++) {
        for (let round = 0; round < 3; round++) {
          for (const id of members) {
            room.comment(id, at + jitter(random, 20 * SEC, 0.1), random() < 0.5 ? 'is the black one still in stock? want to order' : 'is the white one still in stock? want to order!');
            at += 20 * SEC;
          }
        }
        at += 2 * MIN + random() * 5 * MIN;
      }
      return room.end(T0 + 55 * MIN);
    }

    it('links ordinary-looking accounts by their clock and their fixed order', () => {
      const { cohorts, named } = run(ring());
      expect(cohorts.find((c) => c.kind === 'template')?.signals).toEqual(['clockedPosts', 'turnTaking']);
      expect([...named].sort()).toEqual(Array.from({ length: 6 }, (_, i) => `ring-${i}`));
    });

    it('misses it without turn-taking: a clock alone is one signal', () => {
      expect(run(ring(), { scriptedComments: { rotation: { minLength: 100 } } }).all).toEqual([]);
    });
  });

  describe('sharedCadence: one timer setting at independent phases', () => {
    const POOL = [
      'loving this shop', 'just ordered, so excited', 'the color is gorgeous', 'great value honestly', 'bought one for my mom', 'shipping was super fast',
      'third time buying here', 'hit follow for more deals', 'stock is running low', 'this is so worth it', 'way cheaper than the store', 'packaging is so nice',
      'zero regrets buying this', 'she explains it so well', 'best live shop around', 'shared the stream with friends',
    ];

    function poolRotation(): RoomTraffic {
      const room = new RoomTraffic().start(T0);
      background(room, 5, T0, T0 + 30 * MIN);
      const random = rng(6);
      chatters(room, random, T0, T0 + 30 * MIN);
      // Ten aged accounts on their own phones and networks, one script: every 60 s ±20 %, each post a line from one pool.
      for (let i = 0; i < 10; i++) {
        const id = `pool-${i}`;
        room.join(id, T0 + random() * 2 * MIN, honestIdentity(random, T0));
        for (let tick = T0 + 3 * MIN + random() * 60 * SEC; tick < T0 + 30 * MIN; tick += 60 * SEC) room.comment(id, tick + jitter(random, 60 * SEC, 0.2), POOL[Math.floor(random() * POOL.length)]);
      }
      return room.end(T0 + 35 * MIN);
    }

    it('links accounts that all run one timer setting, whatever lines they draw', () => {
      const { cohorts, named } = run(poolRotation());
      expect(cohorts.length).toBeGreaterThan(0);
      for (const cohort of cohorts) expect(cohort.signals).toEqual(['regularTiming', 'sharedCadence']);
      expect([...named].sort()).toEqual(Array.from({ length: 10 }, (_, i) => `pool-${i}`).sort());
    });

    it('misses it without the shared cadence: regular timing alone is one signal', () => {
      expect(run(poolRotation(), { scriptedComments: { cadence: { maxPhaseConcentration: -1 } } }).all).toEqual([]);
    });

    it("keeps scheduled lucky-bag draws clean only because the crowd's phases concentrate on the host's cue", () => {
      const room = new RoomTraffic().start(T0);
      const random = rng(10);
      chatters(room, random, T0, T0 + 44 * MIN);
      const entrants = Array.from({ length: 200 }, (_, i) => `regular-${i}`);
      entrants.forEach((id) => room.join(id, T0 + random() * MIN, honestIdentity(random, T0)));
      for (let draw = 0; draw < 8; draw++) {
        const drawAt = T0 + 3 * MIN + draw * 5 * MIN;
        for (const id of entrants) room.comment(id, drawAt + 2 * SEC + random() ** 1.5 * 40 * SEC, '参与福袋抽奖，祝主播大卖！关注主播不迷路～');
      }
      room.end(T0 + 45 * MIN);
      expect(run(room).all).toEqual([]);
      expect(run(room, { scriptedComments: { cadence: { maxPhaseConcentration: 1.01 } } }).roomFinding).toBeDefined();
    });
  });

  describe('regularTiming, loosely: slow posters with few intervals', () => {
    function slowDrip(): RoomTraffic {
      const room = new RoomTraffic().start(T0);
      background(room, 7, T0, T0 + 30 * MIN);
      const random = rng(8);
      chatters(room, random, T0, T0 + 30 * MIN);
      // 15 accounts of one sitting, a pitch every 5 minutes ±10 %: five posts each, far below any rate limit.
      for (let i = 0; i < 15; i++) {
        const id = `drip-${i}`;
        room.join(id, T0 + random() * 2 * MIN, coCreated(random, i, T0));
        const phase = T0 + 3 * MIN + random() * 5 * MIN;
        for (let k = 0; k < 5; k++) room.comment(id, phase + k * 5 * MIN + jitter(random, 5 * MIN, 0.1), `The quality is ${random() < 0.5 ? 'really' : 'super'} good, everyone just buy it, no regrets at all`);
      }
      return room.end(T0 + 35 * MIN);
    }

    it('links co-created accounts posting one pitch every few minutes', () => {
      const { cohorts, named } = run(slowDrip());
      expect(cohorts.find((c) => c.kind === 'template')?.signals).toEqual(['youngOrCoCreated', 'regularTiming', 'sharedCadence']);
      expect(named.filter((id) => id.startsWith('drip-'))).toHaveLength(15);
    });

    it('misses it when regularity needs as many intervals as a lone account does', () => {
      expect(run(slowDrip(), { scriptedComments: { periodic: { cohortMinIntervals: 6 } } }).all).toEqual([]);
    });
  });

  describe('youngOrCoCreated, by registration sittings', () => {
    function massPool(): RoomTraffic {
      const room = new RoomTraffic().start(T0);
      background(room, 9, T0, T0 + 40 * MIN);
      const random = rng(10);
      const sittings = [T0 - 40 * DAY, T0 - 24 * DAY, T0 - 9 * DAY];
      // 200 accounts from three sittings weeks apart, five to a rented /24, each posting once at its own moment.
      for (let i = 0; i < 200; i++) {
        const id = `pool-${i}`;
        const at = T0 + 5 * MIN + random() * 30 * MIN;
        room.join(id, at - 30 * SEC, { ...honestIdentity(random, at), createdAt: sittings[i % 3] + random() * 4 * HOUR, ip: `61.${120 + (i % 40)}.7.${10 + i}` });
        room.comment(id, at, random() < 0.5 ? 'Just ordered mine, the host is so nice and this price is insane' : 'Just bought mine, the host is so nice and this price is unreal!!');
      }
      return room.end(T0 + 45 * MIN);
    }

    it('links a pool registered in several sittings and run behind a proxy pool', () => {
      const { cohorts, named } = run(massPool());
      expect(cohorts.find((c) => c.kind === 'template')?.signals).toEqual(['youngOrCoCreated', 'sharedInfrastructure']);
      expect(named.filter((id) => id.startsWith('pool-')).length).toBeGreaterThanOrEqual(190);
    });

    it('misses it when only one creation window counts', () => {
      expect(run(massPool(), { scriptedComments: { cohort: { creationClumpSpanMs: 0 } } }).all).toEqual([]);
    });
  });

  describe('sharedInfrastructure, by a few models', () => {
    function fewModels(): RoomTraffic {
      const room = new RoomTraffic().start(T0);
      background(room, 11, T0, T0 + 30 * MIN);
      const random = rng(12);
      for (let i = 0; i < 30; i++) {
        const id = `crate-${i}`;
        const at = T0 + random() * 5 * MIN;
        room.join(id, at, { ...coCreated(random, i, at), model: ['220233L2C', 'PHB110', 'V2120A'][i % 3] });
        for (let k = 0; k < 3; k++) room.comment(id, T0 + 6 * MIN + random() * 20 * MIN, `First time in this live room and the stuff is ${random() < 0.5 ? 'great' : 'legit'}, already hit follow`);
      }
      return room.end(T0 + 35 * MIN);
    }

    it("links co-created accounts on a farm's three handset models", () => {
      const { cohorts, named } = run(fewModels());
      expect(cohorts.find((c) => c.kind === 'template')?.signals).toEqual(['youngOrCoCreated', 'sharedInfrastructure']);
      expect(named.filter((id) => id.startsWith('crate-'))).toHaveLength(30);
    });

    it('misses it when only the single most common model counts', () => {
      expect(run(fewModels(), { scriptedComments: { cohort: { fewModels: 1 } } }).all).toEqual([]);
    });
  });

  it('clusters a spun template by its variety, not by its first fill', () => {
    const room = new RoomTraffic().start(T0);
    background(room, 13, T0, T0 + 30 * MIN);
    const random = rng(14);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    for (let i = 0; i < 60; i++) {
      const id = `spin-${i}`;
      room.join(id, T0 + random() * 5 * MIN, { ...coCreated(random, i, T0), ip: `45.77.${12 + (i % 4)}.${20 + i}` });
      const text = `Honestly this ${pick(['serum', 'cream', 'mask', 'toner'])} is ${pick(['amazing', 'incredible', 'so good', 'legit'])}, already ${pick(['reordered', 'bought again', 'got another'])} for my sister`;
      room.comment(id, T0 + 6 * MIN + random() * 20 * MIN, text);
    }
    room.end(T0 + 35 * MIN);

    const spun = (config?: DeepPartial<EngineConfig>) => run(room, config).named.filter((id) => id.startsWith('spin-')).length;
    expect(spun()).toBe(60);
    // One representative at the old similarity: the fills scatter into clusters too small to judge.
    expect(spun({ scriptedComments: { template: { representatives: 1, minSimilarity: 0.5 } } })).toBeLessThanOrEqual(50);
  });

  it('keeps naming members who join a proven cohort after honest fans thin out its shares', () => {
    const room = new RoomTraffic().start(T0);
    const random = rng(15);
    const line = 'Grab it now guys, this price ends tonight, trust me';
    const shill = (i: number, at: number): void => {
      room.join(`shill-${i}`, at - 20 * SEC, { ...honestIdentity(random, at), createdAt: at - 2 * DAY - i * 60_000, ip: `45.77.12.${20 + i}` });
      room.comment(`shill-${i}`, at, line);
    };
    for (let i = 0; i < 30; i++) shill(i, T0 + 2 * MIN + i * 20 * SEC + random() * 10 * SEC);
    // Then fans copy the line for a while (real, aged accounts of their own)...
    for (let i = 0; i < 60; i++) {
      const at = T0 + 14 * MIN + random() * 6 * MIN;
      room.join(`fan-${i}`, at - MIN, honestIdentity(random, at));
      room.comment(`fan-${i}`, at, `${line}${random() < 0.5 ? ' 😂' : ''}`);
    }
    // ...and the script sends its last twenty.
    for (let i = 30; i < 50; i++) shill(i, T0 + 22 * MIN + (i - 30) * 20 * SEC + random() * 10 * SEC);
    room.end(T0 + 35 * MIN);

    const { named } = run(room);
    expect(named.filter((id) => id.startsWith('shill-'))).toHaveLength(50);
    expect(named.filter((id) => id.startsWith('fan-'))).toEqual([]);
  });
});

describe('honest chat that repeats itself', () => {
  const noScriptedFindings = (room: RoomTraffic): void => {
    expect(run(room).all.map((f) => `${f.subjectType} ${f.subjectId}: ${f.summary}`)).toEqual([]);
  };

  it('keeps fans copying a popular comment clean', () => {
    const room = new RoomTraffic().start(T0);
    background(room, 21, T0, T0 + 30 * MIN, 300);
    const random = rng(22);
    const line = 'she really said "trust the process" lmao';
    for (let wave = 0; wave < 3; wave++) {
      const at = T0 + (5 + wave * 8) * MIN;
      for (let i = 0; i < 60; i++) {
        const id = `copy-${wave}-${i}`;
        const ts = at + 2 * SEC - Math.log(1 - random()) * 40 * SEC;
        room.join(id, at - random() * 5 * MIN, honestIdentity(random, at));
        room.comment(id, ts, `${line}${['', '', ' +1', ' 😂', '!!', ' this'][Math.floor(random() * 6)]}`);
      }
    }
    noScriptedFindings(room.end(T0 + 35 * MIN));
  });

  it('keeps a giveaway everyone enters by typing one keyword once clean, newcomers included', () => {
    const room = new RoomTraffic().start(T0);
    background(room, 23, T0, T0 + 30 * MIN, 200);
    const random = rng(24);
    const opens = T0 + 12 * MIN;
    for (let i = 0; i < 400; i++) {
      const id = `entrant-${i}`;
      const joinAt = opens - random() * 8 * MIN;
      const identity = honestIdentity(random, joinAt);
      // Giveaway hunters: a third of the entrants signed up this month.
      if (i % 3 === 0) identity.createdAt = joinAt - Math.round(random() * 20 * DAY);
      room.join(id, joinAt, identity);
      room.comment(id, opens + Math.min(150 * SEC, -Math.log(1 - random()) * 15 * SEC), `pick me please${['', '!', '!!', ' 🙏', ' ❤️'][Math.floor(random() * 5)]}`);
    }
    noScriptedFindings(room.end(T0 + 35 * MIN));
  });

  it('keeps real people asking the same question all evening clean', () => {
    const room = new RoomTraffic().start(T0);
    background(room, 25, T0, T0 + 40 * MIN, 200);
    const random = rng(26);
    const phrasings = ['what size is she wearing', 'what size is she wearing?', 'what size is she in', 'which size is she wearing??'];
    for (let i = 0; i < 80; i++) {
      const id = `asker-${i}`;
      const joinAt = T0 + random() * 35 * MIN;
      room.join(id, joinAt, honestIdentity(random, joinAt));
      let ts = joinAt - Math.log(1 - random()) * 2 * MIN;
      for (let k = 0; k < 3 && ts < T0 + 45 * MIN; k++) {
        room.comment(id, ts, phrasings[Math.floor(random() * phrasings.length)]);
        if (random() > 0.4) break;
        ts += 60 * SEC + random() * 120 * SEC;
      }
    }
    noScriptedFindings(room.end(T0 + 50 * MIN));
  });

  it('keeps fans pasting one cheer as fast as slow mode lets them clean', () => {
    const room = new RoomTraffic().start(T0);
    const random = rng(29);
    // A small room in 10 s slow mode: forty viewers say one thing each, ten fans paste a cheer at the limit for a few minutes.
    for (let i = 0; i < 40; i++) {
      const at = T0 + random() * 20 * MIN;
      room.join(`viewer-${i}`, at, honestIdentity(random, at));
      room.comment(`viewer-${i}`, at + random() * 60 * SEC, ['主播好', '这个颜色好看吗', '有没有大码', '刚下单了'][i % 4]);
    }
    for (let i = 0; i < 10; i++) {
      const id = `paster-${i}`;
      room.join(id, T0 + random() * 2 * MIN, honestIdentity(random, T0));
      for (let t = T0 + 5 * MIN + random() * 60 * SEC, k = 0; k < 12; k++, t += 10_000 + 300 + random() * 900) room.comment(id, t, '主播加油主播加油冲冲冲');
    }
    noScriptedFindings(room.end(T0 + 25 * MIN));
  });

  it('keeps a cheer chanted in waves clean', () => {
    const room = new RoomTraffic().start(T0);
    const random = rng(27);
    const crowd = Array.from({ length: 300 }, (_, i) => `cheer-${i}`);
    crowd.forEach((id) => room.join(id, T0 + random() * 3 * MIN, honestIdentity(random, T0)));
    for (let wave = 0; wave < 4; wave++) {
      const at = T0 + 5 * MIN + wave * 6 * MIN;
      for (const id of crowd) {
        if (random() > 0.4) continue;
        let ts = at + Math.exp(Math.log(5 * SEC) + 0.7 * (random() * 2 - 1));
        for (let k = 0, times = 1 + Math.floor(random() * 4); k < times; k++) {
          room.comment(id, ts, random() < 0.7 ? '冲冲冲主播加油' : '冲冲冲主播加油！！');
          ts += 3 * SEC + random() * 8 * SEC;
        }
      }
    }
    noScriptedFindings(room.end(T0 + 35 * MIN));
  });

  it('keeps a cross-border room writing in many languages and scripts clean', () => {
    const room = new RoomTraffic().start(T0);
    const random = rng(28);
    const lines = [
      'hola desde méxico', '¿cuánto cuesta?', 'me encanta este color', 'olá do brasil', 'quanto custa isso?', 'привет из москвы', 'сколько стоит?', 'очень красиво',
      'مرحبا من السعودية', 'كم السعر؟', '안녕하세요 한국에서 왔어요', '얼마예요?', 'こんにちは日本から', 'いくらですか？', 'xin chào từ việt nam', 'bao nhiêu tiền vậy?',
      'สวัสดีจากไทย', 'ราคาเท่าไหร่คะ', 'halo dari indonesia', 'berapa harganya?', 'नमस्ते भारत से', 'कितने का है?', 'bonjour de france', 'combien ça coûte ?',
    ];
    for (let i = 0; i < 250; i++) {
      const id = `world-${i}`;
      const joinAt = T0 + random() * 30 * MIN;
      room.join(id, joinAt, honestIdentity(random, joinAt));
      for (let k = 0, posts = Math.floor(random() * 5); k < posts; k++) room.comment(id, joinAt + random() * 10 * MIN, lines[Math.floor(random() * lines.length)]);
    }
    noScriptedFindings(room.end(T0 + 45 * MIN));
  });
});
