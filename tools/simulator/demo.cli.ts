import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatSendSummary, generateWithTiming, intOption, numberOption, sendWithProgressBar } from './cli-support.js';
import {
  createApiKey,
  databaseUrl,
  dropDatabase,
  fetchAllReports,
  repoRoot,
  clearRedisPrefix,
  redisPrefixOf,
  startService,
  waitForBacklogZero,
  type ApiReport,
  type RunningService,
} from './service-harness.js';

const USAGE = `usage: npm run demo -- [--seed 7] [--rooms 12] [--speed 300] [--port N] [--keep-db] [--exit]
  Starts the service on a database of its own (roomwatch_demo_<random>),
  replays a simulated evening of live rooms, prints the reports room by room
  and the keys to explore them with, and keeps the service running until
  Ctrl-C. On the way out it drops its database and its Redis keys, so two
  demos on one host never collide.
  --seed N     PRNG seed (default 7)
  --rooms N    rooms (default 12)
  --speed N    replay at N x event time, 0 = flat out (default 300)
  --port N     port for the service (default: a free one)
  --keep-db    keep the database (and print its URL) instead of dropping it
  --exit       stop the service once the reports are printed
  --all        list every account report (by default they are folded per kind)`;


async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      rooms: { type: 'string' },
      speed: { type: 'string' },
      port: { type: 'string' },
      'keep-db': { type: 'boolean' },
      exit: { type: 'boolean' },
      all: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!existsSync(join(repoRoot(), 'dist/src/main.js'))) {
    console.error('demo: dist/src/main.js is missing; run `npm run build` (npm run demo builds first)');
    return 2;
  }
  const seed = intOption(values.seed, 'seed', 7);
  const rooms = intOption(values.rooms, 'rooms', 12, 1);
  const speed = numberOption(values.speed, 'speed', 300);
  const dbUrl = databaseUrl(`roomwatch_demo_${randomBytes(4).toString('hex')}`);

  const { evening } = generateWithTiming({ seed, rooms });
  const attacked = evening.rooms.filter((room) => room.labels.kinds.length > 0).length;

  let service: RunningService;
  try {
    service = await startService({
      databaseUrl: dbUrl,
      adminKey: process.env.ADMIN_KEY ?? randomBytes(24).toString('hex'),
      port: values.port === undefined ? undefined : intOption(values.port, 'port', 3000, 1),
    });
  } catch (error) {
    console.error(`demo: could not start the service: ${(error as Error).message}`);
    return 2;
  }
  let stopping: Promise<void> | undefined;
  /** Stops the service and, unless --keep-db, leaves no database or Redis key behind. */
  const shutDown = async (): Promise<void> => {
    await service.stop();
    if (values['keep-db']) {
      console.log(`kept the database ${dbUrl}`);
      return;
    }
    await dropDatabase(dbUrl).catch((error: Error) => console.error(`demo: could not drop ${dbUrl}: ${error.message}`));
    await clearRedisPrefix(redisPrefixOf(dbUrl)).catch((error: Error) => console.error(`demo: could not clear its Redis keys: ${error.message}`));
  };
  let explored = false;
  const stopOnSignal = (): void => {
    console.log('\nstopping the service…');
    // Mid-replay the sender is still waiting on its schedule: leave once the service and its data are gone (130, as for Ctrl-C).
    stopping = shutDown().finally(() => process.exit(explored ? 0 : 130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);

  try {
    console.log(`roomwatch is running at ${service.baseUrl} (database ${dbUrl}, log ${service.logPath})`);
    const ingestKey = await createApiKey(service.baseUrl, service.adminKey, 'ingest');
    const reviewerKey = await createApiKey(service.baseUrl, service.adminKey, 'reviewer');
    // A merchant whose anchor published a sales claim: its audit page has the most to show.
    const showcase = evening.rooms.find((room) => room.labels.kinds.includes('inflated_gmv')) ?? evening.rooms[0]!;
    const merchantKey = await createApiKey(service.baseUrl, service.adminKey, 'merchant', showcase.merchantId);
    console.log(
      `replaying seed ${seed}: ${rooms} live rooms (${attacked} of them attacked), ${evening.events.length.toLocaleString('en-US')} events, ` +
        `${speed > 0 ? `at ${speed}x event time` : 'as fast as possible'}`,
    );
    const summary = await sendWithProgressBar(evening.events, { url: service.baseUrl, token: ingestKey.key, speed });
    for (const line of formatSendSummary(summary)) console.log(line);
    await waitForBacklogZero(service.baseUrl);

    const reports = await fetchAllReports(service.baseUrl, reviewerKey.key);
    const streamIds = new Set(evening.rooms.map((room) => room.streamId));
    const byStream = new Map<string, ApiReport[]>();
    for (const report of reports) if (streamIds.has(report.streamId)) byStream.set(report.streamId, [...(byStream.get(report.streamId) ?? []), report]);

    const ours = [...byStream.values()].reduce((sum, list) => sum + list.length, 0);
    console.log(`\n${ours} reports about this evening's streams${reports.length > ours ? ` (${reports.length} in the demo database)` : ''}\n`);
    for (const room of [...evening.rooms].sort((a, b) => a.startTs - b.startTs)) {
      const found = byStream.get(room.streamId) ?? [];
      const truth = room.labels.kinds.length > 0 ? `simulated attack: ${room.scenario}` : `honest room (${room.scenario})`;
      console.log(`■ room ${room.roomId} · stream ${room.streamId} · ${truth}`);
      if (found.length === 0) console.log('    no reports');
      for (const line of describeReports(found, service.baseUrl, values.all ? Infinity : 3)) console.log(`    ${line}`);
    }
    const merchantStreams = evening.rooms.filter((room) => room.merchantId === showcase.merchantId).map((room) => room.streamId);
    console.log(`
explore it:
  console            ${service.baseUrl}/console/   (sign in with a reviewer or merchant key)
  reviewer key       ${reviewerKey.key}
  merchant key       ${merchantKey.key}   (merchant ${showcase.merchantId}, streams ${merchantStreams.join(', ')})
  ingest key         ${ingestKey.key}
  admin key          ${service.adminKey}   (creates and revokes keys: POST ${service.baseUrl}/v1/api-keys)
  a report           curl -H "Authorization: Bearer ${reviewerKey.key}" ${service.baseUrl}/v1/reports/<id>
  a sales audit      curl -H "Authorization: Bearer ${merchantKey.key}" ${service.baseUrl}/v1/streams/${merchantStreams[0]}/sales-audit
  status, health     ${service.baseUrl}/v1/status   ${service.baseUrl}/health/ready
  service log        ${service.logPath}`);
  } catch (error) {
    await shutDown();
    throw error;
  }

  if (values.exit) {
    await shutDown();
    return 0;
  }
  explored = true;
  console.log('\nthe service keeps running; press Ctrl-C to stop it');
  await new Promise<void>((resolve) => service.child.once('exit', () => resolve()));
  if (stopping) {
    await stopping;
    return 0;
  }
  console.error(`demo: the service exited; see ${service.logPath}`);
  await shutDown();
  return 1;
}

/** Room reports in full; account reports folded per kind, or a big farm would scroll the screen away. */
function describeReports(reports: readonly ApiReport[], baseUrl: string, linksPerKind: number): string[] {
  const lines: string[] = [];
  const link = (report: ApiReport): string => `${baseUrl}/v1/reports/${report.id}`;
  for (const report of reports.filter((candidate) => candidate.subjectType === 'room').sort((a, b) => b.score - a.score)) {
    lines.push(`${report.kind.padEnd(17)} ${report.severity.padEnd(6)} score ${report.score.toFixed(2)}  room report, ${report.accounts.length} accounts`);
    lines.push(`  ${report.summary}`);
    lines.push(`  ${link(report)}`);
  }
  const accountReports = reports.filter((candidate) => candidate.subjectType === 'account');
  for (const kind of [...new Set(accountReports.map((report) => report.kind))]) {
    const ofKind = accountReports.filter((report) => report.kind === kind).sort((a, b) => b.score - a.score);
    const top = ofKind[0] as ApiReport;
    const severities = (['high', 'medium', 'low'] as const).map((severity) => `${ofKind.filter((report) => report.severity === severity).length} ${severity}`).join(', ');
    lines.push(`${kind.padEnd(17)} ${top.severity.padEnd(6)} score ${top.score.toFixed(2)}  ${ofKind.length} account reports (${severities})`);
    lines.push(`  ${top.summary}`);
    for (const report of ofKind.slice(0, linksPerKind)) lines.push(`  ${link(report)}  (account ${report.subjectId}, ${report.accounts.length} accounts)`);
    if (ofKind.length > linksPerKind) lines.push(`  … and ${ofKind.length - linksPerKind} more (--all lists them): ${baseUrl}/v1/reports?kind=${kind}&streamId=${encodeURIComponent(top.streamId)}&subjectType=account`);
  }
  return lines;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`demo: ${error.message}`);
    process.exit(1);
  },
);
