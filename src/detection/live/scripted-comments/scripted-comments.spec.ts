import { normaliseComment, signatureSimilarity, textSignature } from '../../shared/text-fingerprint.js';
import { DAY, T0, accountFindings, honestCrowd, honestIdentity, rng, roomFindings, runEngine, RoomTraffic } from '../../../../test/support/detection/traffic.js';
import { HONEST_LINES } from '../../../../test/support/detection/traffic.js';

const MIN = 60_000;
const SEC = 1_000;

describe('comment normalisation', () => {
  it('folds case, width, punctuation, digits, emoji, spacing and traditional characters', () => {
    expect(normaliseComment('買買買！！ 這個價格 123 元🔥🔥')).toBe('买买买这个价格元');
    expect(normaliseComment('ＢＵＹ  now!!! 2 for 99')).toBe('buynowfor');
    expect(normaliseComment('Buy now ✨ 7 for 45')).toBe(normaliseComment('buy NOW 2 for 99!!'));
  });

  it('folds homoglyphs of other scripts, accents, invisible characters and digits inserted into words', () => {
    // Cyrillic а, е, о, р, с and Greek ο drawn as Latin letters; a zero-width space; digits pushed into words.
    expect(normaliseComment('Grаb it nοw, this pricе won\u200bt lаst, trust mе')).toBe('grabitnowthispricewontlasttrustme');
    expect(normaliseComment('Gr4b it n0w, this pr72ice w0n\'t last, trust me')).toBe('grabitnowthispricewontlasttrustme');
    expect(normaliseComment('Ｇｒáｂ ìt ｎöw 🉐, this príce wón’t lâst, trüst më!!')).toBe('grabitnowthispricewontlasttrustme');
    // A circled ideograph is a symbol, not the letter NFKC would make of it.
    expect(normaliseComment('好价🉐㊙')).toBe('好价');
  });

  it('keeps a real Russian or Korean line whole (folded the same way every time), not emptied', () => {
    expect(normaliseComment('Сколько стоит?')).toBe(normaliseComment('сколько стоит'));
    expect(normaliseComment('Сколько стоит?').length).toBe(12);
    expect(normaliseComment('너무 예뻐요!!')).toBe('너무예뻐요');
  });

  it('keeps a slot-filled template near its siblings and far from other text', () => {
    const a = textSignature(normaliseComment('宝宝们这个面霜真的好用，已经回购3次了！'), 32);
    const b = textSignature(normaliseComment('寶寶們這個精華真的好用，已經回購5次了～～'), 32);
    const other = textSignature(normaliseComment('主播今天穿的这件外套是什么牌子的'), 32);
    expect(signatureSimilarity(a, b)).toBeGreaterThanOrEqual(0.5);
    expect(signatureSimilarity(a, other)).toBeLessThan(0.3);
  });
});

/** Background chat: ordinary viewers with ordinary accounts saying ordinary things. */
function honestChat(room: RoomTraffic, seed: number, from: number, to: number, viewers = 150): void {
  honestCrowd(room, { prefix: `fan${seed}`, viewers, from, to, endAt: to + 5 * MIN, seed, commentShare: 0.6, meanWatchMs: 20 * MIN });
}

const SLOTS = ['面霜', '精华', '口红', '粉底', '眼霜', '防晒'];
const TAILS = ['！', '～～', '!!', '😍😍', '', '。', ' 👍'];

function templateText(random: () => number): string {
  const slot = SLOTS[Math.floor(random() * SLOTS.length)];
  const times = 2 + Math.floor(random() * 8);
  const tail = TAILS[Math.floor(random() * TAILS.length)];
  const body = random() < 0.5 ? `宝宝们这个${slot}真的好用，已经回购${times}次了${tail}` : `寶寶們 這個${slot}真的好用，已經回購${times}次了${tail}`;
  return body;
}

describe('scripted comments', () => {
  it('flags template comments with slot variations from a co-created cohort', () => {
    const room = new RoomTraffic().start(T0);
    honestChat(room, 1, T0, T0 + 30 * MIN);
    const random = rng(2);
    for (let i = 0; i < 24; i++) {
      const accountId = `shill-${i}`;
      room.join(accountId, T0 + 2 * MIN + random() * 5 * MIN, {
        createdAt: T0 - 3 * DAY + i * 60_000,
        model: ['V2227A', 'PGT-AN10', 'CPH2451'][i % 3],
        deviceId: `shill-dev-${i}`,
        ip: `45.77.${12 + (i % 3)}.${20 + i}`,
      });
      // Irregular posting, so only who they are gives them away.
      for (let k = 0; k < 4; k++) room.comment(accountId, T0 + 8 * MIN + random() * 20 * MIN, templateText(random));
    }
    room.end(T0 + 35 * MIN);

    const { findings } = runEngine(room.sorted());

    const [roomFinding] = roomFindings(findings, 'scripted_comments');
    expect(roomFinding).toBeDefined();
    const cohort = (roomFinding.evidence.cohorts as Array<{ kind: string; signals: string[]; implicatedAccounts: number; sampleTexts: string[] }>)[0];
    expect(cohort.kind).toBe('template');
    expect(cohort.signals).toEqual(expect.arrayContaining(['youngOrCoCreated', 'sharedInfrastructure']));
    expect(cohort.implicatedAccounts).toBeGreaterThanOrEqual(20);
    expect(roomFinding.evidence.accountsTotal).toBe(24);
    expect(cohort.sampleTexts.length).toBeGreaterThanOrEqual(5);
    const named = accountFindings(findings, 'scripted_comments').map((f) => f.subjectId);
    expect(named.filter((id) => id.startsWith('shill-'))).toHaveLength(24);
    expect(named.filter((id) => id.startsWith('fan'))).toHaveLength(0);
  });

  it('leaves a person pasting one line at the pace of slow mode alone, and still names a timer in the same chat', () => {
    const room = new RoomTraffic().start(T0);
    const random = rng(91);
    // Slow mode of 10 s: a busy chat where nobody posts faster than that.
    for (let i = 0; i < 80; i++) {
      const id = `chatter-${i}`;
      room.join(id, T0 + random() * 5 * MIN, honestIdentity(random, T0));
      for (let t = T0 + 6 * MIN + random() * 60_000; t < T0 + 28 * MIN; t += 10_000 + random() * random() * 120_000) room.comment(id, t, HONEST_LINES[Math.floor(random() * HONEST_LINES.length)]);
    }
    // A viewer pasting the same warning as fast as the limit lets them: regular, but the limit's rhythm.
    room.join('paster', T0 + 5 * MIN, honestIdentity(random, T0 + 5 * MIN));
    for (let t = T0 + 8 * MIN; t < T0 + 20 * MIN; t += 10_300 + Math.round(random() * 500)) room.comment('paster', t, 'PSA: the giveaway links in chat are scams, do not click them');
    // A seller's timer posting its pitch every 45 s.
    room.join('ticker', T0 + 5 * MIN, honestIdentity(random, T0 + 5 * MIN));
    for (let t = T0 + 8 * MIN; t < T0 + 28 * MIN; t += 45_000 + Math.round((random() - 0.5) * 400)) room.comment('ticker', t, 'Check my shop for deals today, link in bio!');
    room.end(T0 + 30 * MIN);

    const { findings } = runEngine(room.sorted());

    const named = accountFindings(findings, 'scripted_comments').map((f) => f.subjectId);
    expect(named).toEqual(['ticker']);
  });

  it('flags an account posting at near-fixed intervals', () => {
    const room = new RoomTraffic().start(T0);
    honestChat(room, 3, T0, T0 + 20 * MIN);
    const random = rng(4);
    // People who talk in bursts, so the room shows its posting floor (far below the ticker's 15 s).
    for (let i = 0; i < 30; i++) {
      const id = `talker-${i}`;
      room.join(id, T0, honestIdentity(random, T0));
      for (let t = T0 + random() * 3 * MIN; t < T0 + 20 * MIN; t += 2_000 + random() * random() * 90_000) room.comment(id, t, HONEST_LINES[Math.floor(random() * HONEST_LINES.length)]);
    }
    room.join('ticker', T0 + MIN, honestIdentity(random, T0 + MIN));
    for (let k = 0; k < 12; k++) {
      room.comment('ticker', T0 + 2 * MIN + k * 15 * SEC + Math.round((random() - 0.5) * 400), `Check my shop for deals today, code ${100 + k}!`);
    }
    room.end(T0 + 25 * MIN);

    const { findings } = runEngine(room.sorted());

    const ticker = accountFindings(findings, 'scripted_comments').find((f) => f.subjectId === 'ticker');
    expect(ticker).toBeDefined();
    expect(ticker?.evidence.loneSignals).toEqual(['repeatsTemplate']);
    expect(ticker?.evidence.meanIntervalMs as number).toBeGreaterThan(14_500);
    expect(ticker?.evidence.intervalCv as number).toBeLessThan(0.05);
    // One account is not a campaign: no room finding.
    expect(roomFindings(findings, 'scripted_comments')).toHaveLength(0);
  });

  it('flags a cohort posting varied texts in lockstep from fresh accounts', () => {
    const room = new RoomTraffic().start(T0);
    honestChat(room, 5, T0, T0 + 30 * MIN);
    const random = rng(6);
    const bots = Array.from({ length: 8 }, (_, i) => `sync-${i}`);
    bots.forEach((id, i) => room.join(id, T0 + MIN + i * 10 * SEC, { ...honestIdentity(random, T0 + MIN), createdAt: T0 - DAY - i * 3_600_000 }));
    let t = T0 + 3 * MIN;
    for (let wave = 0; wave < 10; wave++) {
      t += 20 * SEC + random() * 40 * SEC; // irregular waves: not periodic, only synchronised
      const waveAt = Math.floor(t / 2_000) * 2_000 + 200;
      bots.forEach((id) => room.comment(id, waveAt + random() * 800, HONEST_VARIETY[Math.floor(random() * HONEST_VARIETY.length)]));
    }
    room.end(T0 + 35 * MIN);

    const { findings } = runEngine(room.sorted());

    const [roomFinding] = roomFindings(findings, 'scripted_comments');
    expect(roomFinding).toBeDefined();
    const cohort = (roomFinding.evidence.cohorts as Array<{ kind: string; signals: string[]; implicatedAccounts: number }>).find((c) => c.kind === 'lockstep');
    expect(cohort?.signals).toEqual(['youngOrCoCreated', 'lockstepTiming']);
    expect(cohort?.implicatedAccounts).toBe(8);
  });

  it('keeps a crowd typing "1" on the host\'s cue clean', () => {
    const room = new RoomTraffic().start(T0);
    const random = rng(7);
    const crowd = Array.from({ length: 300 }, (_, i) => `crowd-${i}`);
    crowd.forEach((id) => room.join(id, T0 + random() * 2 * MIN, honestIdentity(random, T0)));
    for (let cue = 0; cue < 8; cue++) {
      const cueAt = T0 + 5 * MIN + cue * 3 * MIN + random() * 60 * SEC;
      for (const id of crowd) {
        if (random() < 0.7) room.comment(id, cueAt + 500 + random() ** 2 * 15 * SEC, random() < 0.8 ? '1' : '111');
      }
    }
    room.end(T0 + 40 * MIN);

    const { findings } = runEngine(room.sorted());

    expect(findings.filter((f) => f.kind === 'scripted_comments')).toHaveLength(0);
  });

  it('keeps a lucky-bag draw clean', () => {
    const room = new RoomTraffic().start(T0);
    honestChat(room, 8, T0, T0 + 20 * MIN);
    const random = rng(9);
    for (let i = 0; i < 500; i++) {
      const id = `entrant-${i}`;
      const joinAt = T0 + random() * 6 * MIN;
      const identity = honestIdentity(random, joinAt);
      // A lucky bag draws newcomers too: a fifth of the entrants opened their account this week.
      if (i % 5 === 0) identity.createdAt = joinAt - Math.round(random() * 5 * DAY);
      room.join(id, joinAt, identity);
      room.comment(id, T0 + 7 * MIN + random() ** 1.5 * 90 * SEC, '参与福袋抽奖，祝主播大卖！关注主播不迷路～');
    }
    room.end(T0 + 25 * MIN);

    const { findings } = runEngine(room.sorted());

    expect(findings.filter((f) => f.kind === 'scripted_comments')).toHaveLength(0);
  });

  it('keeps scheduled lucky-bag draws entered by the same viewers clean', () => {
    const room = new RoomTraffic().start(T0);
    const random = rng(10);
    const entrants = Array.from({ length: 200 }, (_, i) => `regular-${i}`);
    entrants.forEach((id) => room.join(id, T0 + random() * MIN, honestIdentity(random, T0)));
    for (let draw = 0; draw < 8; draw++) {
      const drawAt = T0 + 3 * MIN + draw * 5 * MIN;
      for (const id of entrants) room.comment(id, drawAt + 2 * SEC + random() ** 1.5 * 40 * SEC, '参与福袋抽奖，祝主播大卖！关注主播不迷路～');
    }
    room.end(T0 + 45 * MIN);

    const { findings } = runEngine(room.sorted());

    expect(findings.filter((f) => f.kind === 'scripted_comments')).toHaveLength(0);
  });

  it('keeps a flash-sale rush clean', () => {
    const room = new RoomTraffic().start(T0);
    honestChat(room, 11, T0, T0 + 10 * MIN);
    const random = rng(12);
    const lines = ['上链接', '上链接！！', '已拍', '已拍已拍', 'how much?', '还有货吗', '抢到了！', '没抢到😭', '再上一次链接吧', '拍了拍了'];
    for (let i = 0; i < 600; i++) {
      const id = `rush-${i}`;
      const joinAt = T0 + 10 * MIN + random() * 30 * SEC;
      const identity = honestIdentity(random, joinAt);
      if (i % 3 === 0) identity.createdAt = joinAt - Math.round(random() * 6 * DAY);
      room.join(id, joinAt, identity);
      const posts = 1 + Math.floor(random() * 3);
      for (let k = 0; k < posts; k++) room.comment(id, joinAt + random() * 3 * MIN, lines[Math.floor(random() * lines.length)]);
      if (random() < 0.5) room.order(id, joinAt + random() * 2 * MIN);
    }
    room.end(T0 + 20 * MIN);

    const { findings } = runEngine(room.sorted());

    expect(findings.filter((f) => f.kind === 'scripted_comments')).toHaveLength(0);
  });
});

const HONEST_VARIETY = [
  '这个主播太会讲了', '今天的价格真的划算', '刚下单，期待收货', '颜色比图片还好看', '第二次来买了', '支持主播加油',
  '发货快不快呀', '质量真的可以', '家人们冲啊', '给妈妈也买一件',
];
