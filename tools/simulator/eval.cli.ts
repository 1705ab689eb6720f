import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isStoodDown, type ReportKind } from '../../src/detection/engine/finding.js';
import {
  DELIVERY_OPTIONS,
  DELIVERY_USAGE,
  describeDelivery,
  formatSendSummary,
  intOption,
  laneOptions,
  numberOption,
  ratio,
  sendWithProgressBar,
  table,
} from './cli-support.js';
import { ATTACK_STYLES, type SimulatedRoom } from './generator.js';
import { defaultHeldOutV2Rooms, HELD_OUT_MODEL, mixEvening, type HeldOutModel } from './held-out.js';
import {
  compareAudit,
  decisionRates,
  f1,
  precision,
  recall,
  scoreDecisions,
  scoreReports,
  type AuditMismatch,
  type DecisionAnswer,
  type DecisionScore,
  type Scorecard,
  type Tally,
} from './scoring.js';
import { scorePromotions, type PromotionScore } from './promotion-scoring.js';
import { flashSaleOrders } from './decisions.js';
import { scoreRings, type RingScorecard } from './ring-scoring.js';
import type { LaneOptions } from './sender.js';
import {
  createApiKey,
  databaseUrl,
  decisionsServed,
  postDecision,
  dropDatabase,
  fetchAllReports,
  fetchSalesAudit,
  HttpError,
  repoRoot,
  startService,
  waitForBacklogZero,
  type RunningService,
} from './service-harness.js';

const USAGE = `usage: npm run eval -- [--seeds 7,11,13 | --seed 7] [--rooms 40] [--held-out-rooms 16] [--keep-db]
  For each seed: starts the built service on a fresh database, replays a
  simulated evening (the main generator's rooms and the held-out model's,
  over the same hours), waits for the backlog to drain and scores the
  reports against the labels, main and held-out styles apart.
  --seeds A,B,C     several seeds, one fresh service each (default 7)
  --seed N          one seed
  --rooms N         main-generator rooms (default 40)
  --held-out-rooms N  held-out model rooms mixed into the evening (default 16)
  --held-out-v2-rooms N  held-out v2 room plans (flash sales, coupons, shops, rings;
                    default 3 for every 4 held-out rooms; 0 gives the v1 evenings)
  --keep-db         keep the eval databases afterwards (their URLs are printed)
  --attack-share X  share of attacked main rooms (default 0.4)
  --scale X         honest audience multiplier (default 1)
  --drain-timeout S seconds to wait for backlog 0 (default 1800)
 Delivery (default: 4 lanes, 1 h skew between lanes):
${DELIVERY_USAGE}`;

/** Exit code when the service cannot be started or reached. */
const EXIT_UNREACHABLE = 2;

interface SeedResult {
  seed: number;
  main: Scorecard;
  heldOut: Scorecard | null;
  auditsExact: number;
  audits: number;
  /** null: the service does not answer POST /v1/decisions. */
  decisions: DecisionScore | null;
  heldOutDecisions: DecisionScore | null;
  promotions: PromotionScore;
  rings: RingScorecard | null;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      seeds: { type: 'string' },
      rooms: { type: 'string' },
      'held-out-rooms': { type: 'string' },
      'held-out-v2-rooms': { type: 'string' },
      'keep-db': { type: 'boolean' },
      'attack-share': { type: 'string' },
      scale: { type: 'string' },
      'drain-timeout': { type: 'string' },
      ...DELIVERY_OPTIONS,
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.seed !== undefined && values.seeds !== undefined) throw new Error('--seed and --seeds exclude each other');
  const seeds = values.seeds !== undefined ? values.seeds.split(',').map((part) => intOption(part.trim(), 'seeds', 0)) : [intOption(values.seed, 'seed', 7)];
  if (!existsSync(join(repoRoot(), 'dist/src/main.js'))) {
    console.error('eval: dist/src/main.js is missing; run `npm run build` (npm run eval builds first)');
    return EXIT_UNREACHABLE;
  }
  const heldOutRooms = intOption(values['held-out-rooms'], 'held-out-rooms', 16);
  const heldOutV2Rooms = intOption(values['held-out-v2-rooms'], 'held-out-v2-rooms', defaultHeldOutV2Rooms(heldOutRooms));
  const model = heldOutRooms > 0 ? HELD_OUT_MODEL : null;

  const results: SeedResult[] = [];
  for (const seed of seeds) {
    const lanes = laneOptions(values, { lanes: 4, skewHours: 1, seed });
    const result = await runSeed(seed, {
      rooms: intOption(values.rooms, 'rooms', 40, 1),
      heldOutRooms,
      heldOutV2Rooms,
      attackShare: numberOption(values['attack-share'], 'attack-share', 0.4),
      audienceScale: numberOption(values.scale, 'scale', 1),
      drainTimeoutMs: intOption(values['drain-timeout'], 'drain-timeout', 1800, 1) * 1000,
      keepDb: values['keep-db'] ?? false,
      lanes,
      model,
    });
    if (result === null) return EXIT_UNREACHABLE;
    results.push(result);
  }
  if (results.length > 1) printAcrossSeeds(results);
  return 0;
}

interface SeedOptions {
  rooms: number;
  heldOutRooms: number;
  heldOutV2Rooms: number;
  attackShare: number;
  audienceScale: number;
  drainTimeoutMs: number;
  keepDb: boolean;
  lanes: LaneOptions | null;
  model: HeldOutModel | null;
}

async function runSeed(seed: number, options: SeedOptions): Promise<SeedResult | null> {
  const started = Date.now();
  const evening = mixEvening({ seed, rooms: options.rooms, attackShare: options.attackShare, audienceScale: options.audienceScale, heldOutRooms: options.heldOutRooms, heldOutV2Rooms: options.heldOutV2Rooms }, options.model);
  const attacked = evening.rooms.filter((room) => room.labels.kinds.length > 0);
  console.log(
    `\n═══ roomwatch eval · seed ${seed} · ${evening.rooms.length - evening.heldOutRooms} main rooms + ${evening.heldOutRooms} held-out (${attacked.length} attacked) · ` +
      `${evening.events.length.toLocaleString('en-US')} events generated in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  console.log(`delivery: ${describeDelivery(options.lanes)}`);

  const dbUrl = databaseUrl(`roomwatch_eval_${Date.now().toString(36)}_${process.pid}`);
  let service: RunningService;
  try {
    service = await startService({ databaseUrl: dbUrl, adminKey: randomBytes(24).toString('hex') });
  } catch (error) {
    console.error(`eval: could not start the service: ${(error as Error).message}`);
    await dropDatabase(dbUrl).catch(() => undefined);
    return null;
  }
  console.log(`service up at ${service.baseUrl} (database ${dbUrl}, log ${service.logPath})`);

  try {
    const ingestKey = await createApiKey(service.baseUrl, service.adminKey, 'ingest');
    const reviewerKey = await createApiKey(service.baseUrl, service.adminKey, 'reviewer');

    // (v2) Flash-sale orders go through POST /v1/decisions, in their lane's order, when the service answers it.
    const served = options.lanes !== null && (await decisionsServed(service.baseUrl, ingestKey.key));
    const merchantOf = new Map(evening.rooms.map((room) => [room.streamId, room.merchantId]));
    const flashOrders = served ? flashSaleOrders(evening.events, merchantOf) : new Map<string, string>();
    const answers: DecisionAnswer[] = [];
    const summary = await sendWithProgressBar(evening.events, {
      url: service.baseUrl,
      token: ingestKey.key,
      speed: 0,
      ...(options.lanes ? { lanes: options.lanes } : { connections: 1, window: 1 }),
      ...(served
        ? {
            decide: {
              wants: (event) => flashOrders.has(event.id),
              send: async (event) => {
                const answer = await postDecision(service.baseUrl, ingestKey.key, event);
                answers.push({ order: flashOrders.get(event.id) as string, decision: answer.decision });
              },
            },
          }
        : {}),
    });
    for (const line of formatSendSummary(summary)) console.log(line);
    if (!served) console.log(options.lanes === null ? 'decisions: not asked (they are sent in lane order; use lanes)' : 'decisions: not served (POST /v1/decisions answers 404)');
    else console.log(`decisions: ${answers.length.toLocaleString('en-US')} flash-sale orders sent through POST /v1/decisions`);

    const drainStarted = Date.now();
    let lastPrinted = 0;
    await waitForBacklogZero(service.baseUrl, {
      timeoutMs: options.drainTimeoutMs,
      onPoll: (backlog) => {
        if (Date.now() - lastPrinted > 5_000 && backlog > 0) {
          console.log(`  backlog ${backlog.toLocaleString('en-US')}`);
          lastPrinted = Date.now();
        }
      },
    });
    console.log(`backlog drained ${((Date.now() - drainStarted) / 1000).toFixed(1)} s after the last ack`);

    const stored = await fetchAllReports(service.baseUrl, reviewerKey.key);
    // A stood-down report is one the evidence took back (scored low, never enforced): not a standing accusation, so
    // not scored; listed below, so what was raised and withdrawn stays visible.
    const reports = stored.filter((report) => !isStoodDown(report.evidence));
    const stoodDown = stored.filter((report) => isStoodDown(report.evidence));
    // The rings' shop streams (evening.ringShops) are scored by the ring rows below, not as rooms.
    const known = new Set([...evening.rooms, ...(evening.ringShops ?? [])].map((room) => room.streamId));
    const foreign = reports.filter((report) => report.streamId !== null && !known.has(report.streamId)).length;
    const roomReports = reports.filter((report) => report.subjectType === 'room').length;
    const ringReports = reports.filter((report) => (report.subjectType as string) === 'ring').length;
    console.log(`\nreports: ${reports.length} (${roomReports} room, ${ringReports} ring, ${reports.length - roomReports - ringReports} account)${foreign ? `, ${foreign} about unknown streams` : ''}`);
    const scenarioOf = new Map(evening.rooms.map((room) => [room.streamId, room.scenario]));
    console.log(
      `stood down (raised, then taken back by later evidence; not scored): ${stoodDown.length}` +
        stoodDown.map((report) => `\n  ${report.kind} ${report.subjectType}:${report.subjectId} ${report.streamId ?? ''} (${report.streamId ? (scenarioOf.get(report.streamId) ?? '?') : 'no stream'})`).join(''),
    );

    const mainRooms = evening.rooms.filter((room) => !room.heldOut);
    const heldOutRooms = evening.rooms.filter((room) => room.heldOut);
    const mainCard = scoreReports(mainRooms, reports, [ATTACK_STYLES]);
    printCard(`seed ${seed} · MAIN generator styles (${mainRooms.length} rooms)`, mainCard);
    let heldOutCard: Scorecard | null = null;
    if (heldOutRooms.length > 0 && options.model) {
      heldOutCard = scoreReports(heldOutRooms, reports, [options.model.HELD_OUT_STYLES]);
      printCard(`seed ${seed} · HELD-OUT model styles (${heldOutRooms.length} rooms; never tune on these)`, heldOutCard);
    }
    const promotions = scorePromotions(mainRooms, reports, evening.truth, { otherRooms: heldOutRooms, hoardersAreOurs: false });
    printPromotions(`seed ${seed} · MAIN`, promotions);
    if (heldOutRooms.length > 0) printPromotions(`seed ${seed} · HELD-OUT`, scorePromotions(heldOutRooms, reports, evening.truth, { otherRooms: mainRooms, hoardersAreOurs: true }));
    const attackers = new Set([...evening.rooms.flatMap((room) => Object.values(room.labels.accounts).flat()), ...(evening.truth?.couponHoarders ?? [])]);
    const rings = evening.truth ? scoreRings(evening.truth, reports, attackers) : null;
    if (rings) printRings(`seed ${seed} · rings`, rings);
    const audits = await printAudits(evening.rooms, service.baseUrl, reviewerKey.key);
    // Each model's orders apart: the truth names both models' scalper orders, each by its own merchants.
    const scalperOrders = new Set(evening.truth?.scalperOrders ?? []);
    const answersOf = (rooms: readonly SimulatedRoom[]): DecisionAnswer[] => {
      const merchants = new Set(rooms.map((room) => room.merchantId));
      return answers.filter((answer) => merchants.has(answer.order.slice(0, answer.order.indexOf('/'))));
    };
    const decisions = served ? scoreDecisions(answersOf(mainRooms), scalperOrders) : null;
    const heldOutDecisions = served && heldOutRooms.length > 0 ? scoreDecisions(answersOf(heldOutRooms), scalperOrders) : null;
    if (decisions) printDecisions(`seed ${seed} · MAIN`, decisions);
    if (heldOutDecisions) printDecisions(`seed ${seed} · HELD-OUT`, heldOutDecisions);
    return { seed, main: mainCard, heldOut: heldOutCard, auditsExact: audits.exact, audits: evening.rooms.length, decisions, heldOutDecisions, promotions, rings };
  } finally {
    await service.stop();
    if (options.keepDb) console.log(`kept database ${dbUrl}`);
    else await dropDatabase(dbUrl).catch((error: Error) => console.error(`eval: could not drop ${dbUrl}: ${error.message}`));
  }
}

const tallyCells = (tally: Tally): (string | number)[] => [tally.tp, tally.fp, tally.fn, ratio(precision(tally)), ratio(recall(tally)), ratio(f1(tally))];

function printCard(title: string, card: Scorecard): void {
  console.log(`\n── ${title}`);
  console.log('By kind (rooms: a stream with any report of the kind; accounts: implicated vs labelled, summed over streams)');
  for (const line of table(
    ['kind', 'rooms', 'TP', 'FP', 'FN', 'prec', 'recall', 'F1', '│', 'accounts', 'TP', 'FP', 'FN', 'prec', 'recall', 'F1'],
    card.kinds.map((score) => [score.kind, score.rooms.tp + score.rooms.fn, ...tallyCells(score.rooms), '│', score.accounts.tp + score.accounts.fn, ...tallyCells(score.accounts)]),
  )) {
    console.log(`  ${line}`);
  }

  console.log('\nBy attacker style (a style labelled for two kinds has a row for each)');
  for (const line of table(
    ['style', 'kind', 'rooms', 'detected', 'room recall', '│', 'accounts', 'TP', 'FP', 'FN', 'prec', 'recall', 'F1'],
    card.styles.map((style) => [
      style.style,
      style.kind,
      style.rooms,
      style.roomsDetected,
      ratio(style.rooms === 0 ? null : style.roomsDetected / style.rooms),
      '│',
      style.accounts.tp + style.accounts.fn,
      ...tallyCells(style.accounts),
    ]),
  )) {
    console.log(`  ${line}`);
  }

  const reportedTraps = card.traps.filter((trap) => trap.roomsReported > 0).length;
  console.log(`\nHonest rooms by trap (${reportedTraps} of ${card.traps.length} traps with a reported room; a room with several traps counts under each)`);
  for (const line of table(
    ['trap', 'rooms', 'reported', 'reports'],
    card.traps.map((trap) => [trap.trap, trap.rooms, trap.roomsReported, trap.reports]),
  )) {
    console.log(`  ${line}`);
  }
  if (card.organicFalsePositives.length > 0) {
    console.log(`\nReports on honest rooms: ${card.organicFalsePositives.length}`);
    for (const line of table(
      ['stream', 'scenario', 'kind', 'subject', 'score', 'summary'],
      card.organicFalsePositives.map(({ streamId, scenario, report }) => [
        streamId,
        scenario.length > 50 ? `${scenario.slice(0, 49)}…` : scenario,
        report.kind,
        `${report.subjectType}:${report.subjectId}`,
        report.score.toFixed(2),
        report.summary.length > 70 ? `${report.summary.slice(0, 69)}…` : report.summary,
      ]),
    )) {
      console.log(`  ${line}`);
    }
  }
}

/** cash_out on shops, streamless coupon_abuse accounts, and any promotion report on an honest twin, one model's. */
function printPromotions(title: string, score: PromotionScore): void {
  console.log(`\n── ${title} · promotions beyond streams (${score.cashOutShops} cash-out shops, ${score.twins} honest twin shops)`);
  for (const line of table(
    ['level', 'TP', 'FP', 'FN', 'prec', 'recall', 'F1'],
    [
      ['cash_out merchants', ...tallyCells(score.merchants)],
      ['coupon_abuse accounts (no stream)', ...tallyCells(score.streamlessAccounts)],
    ],
  )) {
    console.log(`  ${line}`);
  }
  console.log(`  reports on honest twins (gift-card shops, fresh-food refunds): ${score.twinReports.length}`);
  for (const report of score.twinReports) console.log(`    ${report.kind} ${report.subjectType}:${report.subjectId} ${report.streamId ?? '-'} ${report.summary.slice(0, 90)}`);
}

function printRings(title: string, card: RingScorecard): void {
  console.log(`\n── ${title}: ${card.ringReports} live ring reports`);
  for (const heldOut of [false, true]) {
    const rows = card.rings.filter((ring) => ring.heldOut === heldOut);
    if (rows.length === 0) continue;
    console.log(heldOut ? 'HELD-OUT rings (never tune on these)' : 'Main generator rings');
    for (const line of table(
      ['style', 'members', 'best ring report', 'its accounts', 'Jaccard'],
      rows.map((ring) => [ring.style, ring.members, ring.bestRing ?? '-', ring.reported, ring.jaccard.toFixed(3)]),
    )) {
      console.log(`  ${line}`);
    }
  }
  const fmt = (value: number | null): string => (value === null ? '-' : value.toFixed(3));
  console.log(`mean Jaccard: main ${fmt(card.meanJaccard)} · held-out ${fmt(card.heldOutMeanJaccard)}`);
  console.log(`honest sharers named in a ring report: ${card.honestNamed.length}${card.honestNamed.length > 0 ? ` (${card.honestNamed.slice(0, 10).join(', ')})` : ''}`);
  console.log(`bulk-registered accounts found (in a ring's registration burst): ${card.bulkFound}/${card.bulkTotal}`);
  if (card.unlabelledNamed !== null) console.log(`accounts in live ring reports that no ring or attack labels: ${card.unlabelledNamed}`);
}

async function printAudits(rooms: readonly SimulatedRoom[], baseUrl: string, reviewerKey: string): Promise<{ exact: number }> {
  const rows: (string | number)[][] = [];
  let exact = 0;
  for (const room of rooms) {
    let mismatches: AuditMismatch[];
    let result: string;
    try {
      mismatches = compareAudit(room.expectedAudit, await fetchSalesAudit(baseUrl, reviewerKey, room.streamId));
      result = mismatches.map((m) => `${m.field}: want ${JSON.stringify(m.expected)} got ${JSON.stringify(m.actual)}`).join('; ');
    } catch (error) {
      mismatches = [{ field: 'response', expected: 200, actual: error instanceof HttpError ? error.status : 'error' }];
      result = error instanceof HttpError ? `HTTP ${error.status}` : (error as Error).message;
    }
    if (mismatches.length === 0) {
      exact++;
      continue;
    }
    const { claimed, verified, currency } = room.expectedAudit;
    rows.push([room.streamId, room.scenario.length > 40 ? `${room.scenario.slice(0, 39)}…` : room.scenario, currency ?? '-', claimed ? claimed.gmv : '-', verified.net, result]);
  }
  console.log(`\nSales audit (GET /v1/streams/:streamId/sales-audit vs expected, suspectedBrushing and inflation not compared): ${exact}/${rooms.length} exact`);
  if (rows.length > 0) for (const line of table(['stream', 'scenario', 'cur', 'claimed gmv', 'verified net', 'result'], rows)) console.log(`  ${line}`);
  return { exact };
}

/** Scalper orders answered reject or review, and honest flash-sale orders rejected (false rejects) and reviewed, apart. */
function printDecisions(title: string, score: DecisionScore): void {
  const rates = decisionRates(score);
  console.log(`\n── ${title} · decisions on flash-sale orders (POST /v1/decisions; scalper orders from the evening truth)`);
  for (const line of table(
    ['scalper orders', 'rejected', 'reviewed', 'recall (reject|review)', '│', 'honest orders', 'rejected', 'false-reject rate', 'reviewed', 'review rate'],
    [
      [
        score.scalperOrders,
        score.scalperRejected,
        score.scalperReviewed,
        ratio(rates.scalperRecall),
        '│',
        score.honestOrders,
        score.honestRejected,
        rates.honestFalseReject === null ? '-' : `${(rates.honestFalseReject * 100).toFixed(2)} %`,
        score.honestReviewed,
        rates.honestReview === null ? '-' : `${(rates.honestReview * 100).toFixed(2)} %`,
      ],
    ],
  )) {
    console.log(`  ${line}`);
  }
}

/** One line per seed and kind: room and account F1, main and held-out side by side. */
function printAcrossSeeds(results: readonly SeedResult[]): void {
  console.log('\n═══ Across seeds (F1; rooms / accounts)');
  const kinds = results[0]?.main.kinds.map((score) => score.kind) ?? [];
  const cell = (card: Scorecard | null, kind: ReportKind, level: 'rooms' | 'accounts'): string => {
    const score = card?.kinds.find((entry) => entry.kind === kind);
    return score ? ratio(f1(score[level])) : '-';
  };
  const honestReported = (card: Scorecard | null): string => (card ? String(new Set(card.organicFalsePositives.map((fp) => fp.streamId)).size) : '-');
  const rows: (string | number)[][] = [];
  for (const result of results) {
    for (const kind of kinds) {
      rows.push([result.seed, kind, cell(result.main, kind, 'rooms'), cell(result.main, kind, 'accounts'), '│', cell(result.heldOut, kind, 'rooms'), cell(result.heldOut, kind, 'accounts')]);
    }
  }
  for (const line of table(['seed', 'kind', 'main room F1', 'main acc F1', '│', 'held-out room F1', 'held-out acc F1'], rows)) console.log(`  ${line}`);
  console.log('');
  for (const line of table(
    ['seed', 'honest main rooms reported', 'honest held-out rooms reported', 'audits exact', 'scalper orders reject|review (main / held-out)', 'honest false rejects', 'honest reviews', 'cash_out merchant F1', 'twin reports'],
    results.map((result) => {
      const rates = result.decisions ? decisionRates(result.decisions) : null;
      const held = result.heldOutDecisions ? decisionRates(result.heldOutDecisions) : null;
      const pct = (value: number | null | undefined): string => (value === null || value === undefined ? '-' : `${(value * 100).toFixed(2)} %`);
      return [
        result.seed,
        honestReported(result.main),
        honestReported(result.heldOut),
        `${result.auditsExact}/${result.audits}`,
        rates ? `${ratio(rates.scalperRecall)} / ${held ? ratio(held.scalperRecall) : '-'}` : 'not served',
        rates ? `${pct(rates.honestFalseReject)} / ${pct(held?.honestFalseReject)}` : '-',
        rates ? `${pct(rates.honestReview)} / ${pct(held?.honestReview)}` : '-',
        ratio(f1(result.promotions.merchants)),
        result.promotions.twinReports.length,
      ];
    }),
  )) {
    console.log(`  ${line}`);
  }
  const fmt = (value: number | null | undefined): string => (value === null || value === undefined ? '-' : value.toFixed(3));
  console.log('');
  for (const line of table(
    ['seed', 'ring mean Jaccard (main)', 'held-out', 'honest sharers in rings', 'unlabelled in rings', 'bulk found'],
    results.map((result) => [
      result.seed,
      fmt(result.rings?.meanJaccard),
      fmt(result.rings?.heldOutMeanJaccard),
      result.rings?.honestNamed.length ?? '-',
      result.rings?.unlabelledNamed ?? '-',
      result.rings ? `${result.rings.bulkFound}/${result.rings.bulkTotal}` : '-',
    ]),
  )) {
    console.log(`  ${line}`);
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`eval: ${error.message}`);
    process.exit(1);
  },
);
