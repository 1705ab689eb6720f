import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatSendSummary, generateWithTiming, intOption, numberOption, ratio, sendWithProgressBar, table } from './cli-support.js';
import type { SimulatedRoom } from './generator.js';
import { compareAudit, precision, recall, scoreReports, type AuditMismatch } from './scoring.js';
import {
  createApiKey,
  databaseUrl,
  dropDatabase,
  fetchAllReports,
  fetchSalesAudit,
  HttpError,
  repoRoot,
  startService,
  waitForBacklogZero,
  type RunningService,
} from './service-harness.js';

const USAGE = `usage: npm run eval -- [--seed 7] [--rooms 40] [--keep-db]
  Starts the built service on a fresh database, replays a simulated evening,
  waits for the backlog to drain and scores the reports against the labels.
  --seed N          PRNG seed (default 7)
  --rooms N         rooms (default 40)
  --keep-db         keep the eval database afterwards (its URL is printed)
  --attack-share X  share of attacked rooms (default 0.4)
  --scale X         honest audience multiplier (default 1)
  --drain-timeout S seconds to wait for backlog 0 (default 1800)`;

/** Exit code when the service cannot be started or reached. */
const EXIT_UNREACHABLE = 2;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      rooms: { type: 'string' },
      'keep-db': { type: 'boolean' },
      'attack-share': { type: 'string' },
      scale: { type: 'string' },
      'drain-timeout': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const seed = intOption(values.seed, 'seed', 7);
  const rooms = intOption(values.rooms, 'rooms', 40, 1);
  if (!existsSync(join(repoRoot(), 'dist/src/main.js'))) {
    console.error('eval: dist/src/main.js is missing; run `npm run build` (npm run eval builds first)');
    return EXIT_UNREACHABLE;
  }

  const { evening, ms } = generateWithTiming({
    seed,
    rooms,
    attackShare: numberOption(values['attack-share'], 'attack-share', 0.4),
    audienceScale: numberOption(values.scale, 'scale', 1),
  });
  const attacked = evening.rooms.filter((room) => room.labels.kinds.length > 0);
  console.log(`roomwatch eval · seed ${seed} · ${rooms} rooms (${attacked.length} attacked) · ${evening.events.length.toLocaleString('en-US')} events generated in ${(ms / 1000).toFixed(1)} s`);

  const dbUrl = databaseUrl(`roomwatch_eval_${Date.now().toString(36)}_${process.pid}`);
  let service: RunningService;
  try {
    service = await startService({ databaseUrl: dbUrl, adminKey: randomBytes(24).toString('hex') });
  } catch (error) {
    console.error(`eval: could not start the service: ${(error as Error).message}`);
    await dropDatabase(dbUrl).catch(() => undefined);
    return EXIT_UNREACHABLE;
  }
  console.log(`service up at ${service.baseUrl} (database ${dbUrl}, log ${service.logPath})`);

  try {
    const ingestKey = await createApiKey(service.baseUrl, service.adminKey, 'ingest');
    const reviewerKey = await createApiKey(service.baseUrl, service.adminKey, 'reviewer');

    const summary = await sendWithProgressBar(evening.events, { url: service.baseUrl, token: ingestKey.key, speed: 0 });
    for (const line of formatSendSummary(summary)) console.log(line);

    const drainStarted = Date.now();
    let lastPrinted = 0;
    await waitForBacklogZero(service.baseUrl, {
      timeoutMs: intOption(values['drain-timeout'], 'drain-timeout', 1800, 1) * 1000,
      onPoll: (backlog) => {
        if (Date.now() - lastPrinted > 5_000 && backlog > 0) {
          console.log(`  backlog ${backlog.toLocaleString('en-US')}`);
          lastPrinted = Date.now();
        }
      },
    });
    console.log(`backlog drained ${((Date.now() - drainStarted) / 1000).toFixed(1)} s after the last ack`);

    const reports = await fetchAllReports(service.baseUrl, reviewerKey.key);
    printScores(evening.rooms, reports);
    await printAudits(evening.rooms, service.baseUrl, reviewerKey.key);
    return 0;
  } finally {
    await service.stop();
    if (values['keep-db']) console.log(`kept database ${dbUrl}`);
    else await dropDatabase(dbUrl).catch((error: Error) => console.error(`eval: could not drop ${dbUrl}: ${error.message}`));
  }
}

function printScores(rooms: readonly SimulatedRoom[], reports: Parameters<typeof scoreReports>[1]): void {
  const card = scoreReports(rooms, reports);
  const roomReports = reports.filter((report) => report.subjectType === 'room').length;
  console.log(`\nreports: ${reports.length} (${roomReports} room, ${reports.length - roomReports} account)${card.foreignReports ? `, ${card.foreignReports} about unknown streams` : ''}\n`);
  console.log('By kind (rooms: a stream with any report of the kind; accounts: implicated vs labelled, summed over streams)');
  for (const line of table(
    ['kind', 'rooms', 'TP', 'FP', 'FN', 'prec', 'recall', '│', 'accounts', 'TP', 'FP', 'FN', 'prec', 'recall'],
    card.kinds.map((score) => [
      score.kind,
      score.rooms.tp + score.rooms.fn,
      score.rooms.tp,
      score.rooms.fp,
      score.rooms.fn,
      ratio(precision(score.rooms)),
      ratio(recall(score.rooms)),
      '│',
      score.accounts.tp + score.accounts.fn,
      score.accounts.tp,
      score.accounts.fp,
      score.accounts.fn,
      ratio(precision(score.accounts)),
      ratio(recall(score.accounts)),
    ]),
  )) {
    console.log(`  ${line}`);
  }

  console.log('\nBy attacker style');
  for (const line of table(
    ['style', 'kind', 'rooms', 'detected', 'accounts', 'found', 'acc recall'],
    card.styles.map((style) => [
      style.style,
      style.kind,
      style.rooms,
      style.roomsDetected,
      style.accounts.tp + style.accounts.fn,
      style.accounts.tp,
      ratio(recall(style.accounts)),
    ]),
  )) {
    console.log(`  ${line}`);
  }

  const organic = rooms.filter((room) => room.labels.kinds.length === 0);
  const dirty = new Set(card.organicFalsePositives.map((fp) => fp.streamId));
  console.log(`\nOrganic-only rooms: ${organic.length}, with a report: ${dirty.size}, false-positive reports: ${card.organicFalsePositives.length}`);
  if (card.organicFalsePositives.length > 0) {
    for (const line of table(
      ['stream', 'scenario', 'kind', 'subject', 'score', 'summary'],
      card.organicFalsePositives.map(({ streamId, scenario, report }) => [
        streamId,
        scenario,
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

async function printAudits(rooms: readonly SimulatedRoom[], baseUrl: string, reviewerKey: string): Promise<void> {
  const rows: (string | number)[][] = [];
  let matching = 0;
  for (const room of rooms) {
    let mismatches: AuditMismatch[];
    let result: string;
    try {
      mismatches = compareAudit(room.expectedAudit, await fetchSalesAudit(baseUrl, reviewerKey, room.streamId));
      result = mismatches.length === 0 ? 'exact' : mismatches.map((m) => `${m.field}: want ${JSON.stringify(m.expected)} got ${JSON.stringify(m.actual)}`).join('; ');
    } catch (error) {
      mismatches = [{ field: 'response', expected: 200, actual: error instanceof HttpError ? error.status : 'error' }];
      result = error instanceof HttpError ? `HTTP ${error.status}` : (error as Error).message;
    }
    if (mismatches.length === 0) matching++;
    const { claimed, verified, currency } = room.expectedAudit;
    rows.push([room.streamId, room.scenario.length > 40 ? `${room.scenario.slice(0, 39)}…` : room.scenario, currency, claimed ? claimed.gmv : '-', verified.net, result]);
  }
  console.log(`\nSales audit (GET /v1/streams/:streamId/sales-audit vs expected, suspectedBrushing and inflation not compared): ${matching}/${rooms.length} exact`);
  for (const line of table(['stream', 'scenario', 'cur', 'claimed gmv', 'verified net', 'result'], rows)) console.log(`  ${line}`);
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`eval: ${error.message}`);
    process.exit(1);
  },
);
