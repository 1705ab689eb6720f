import { parseArgs } from 'node:util';
import type { ReportKind } from '../../src/detection/engine/finding.js';
import { intOption, numberOption, ratio, table } from './cli-support.js';
import { ATTACK_STYLES, generateEvening, type SimulatedRoom } from './generator.js';
import { findingsOverTime, foldLedger } from './order-replay.js';
import { f1, precision, recall, scoreReports, type Tally } from './scoring.js';
import type { ApiReport } from './service-harness.js';

const USAGE = `usage: npm run eval:orders -- [--seeds 7,11,13] [--rooms 40] [--attack-share 0.4] [--verbose]
  The order detectors (refund_brushing, inflated_gmv) in process over the
  main generator's labelled evenings: no service, no database, seconds a
  seed. Every stream is judged at each moment its verdict can change and a
  finding raised at any of them counts. For iterating on the detectors; the
  figures of record come from \`npm run eval\` (the service, held-out model).`;

const KINDS: readonly ReportKind[] = ['refund_brushing', 'inflated_gmv'];

function main(): number {
  const { values } = parseArgs({
    options: {
      seeds: { type: 'string' },
      rooms: { type: 'string' },
      'attack-share': { type: 'string' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const seeds = (values.seeds ?? '7,11,13').split(',').map((part) => intOption(part.trim(), 'seeds', 0));
  const rooms = intOption(values.rooms, 'rooms', 40, 1);
  const attackShare = numberOption(values['attack-share'], 'attack-share', 0.4);
  const rows: (string | number)[][] = [];
  for (const seed of seeds) {
    const evening = generateEvening({ seed, rooms, attackShare });
    const reports = judgeEvening(evening.rooms);
    const card = scoreReports(evening.rooms, reports, [ATTACK_STYLES]);
    console.log(`\n── seed ${seed}: ${evening.rooms.length} rooms, ${reports.length} order findings`);
    const cells = (tally: Tally) => [tally.tp, tally.fp, tally.fn, ratio(precision(tally)), ratio(recall(tally)), ratio(f1(tally))];
    for (const line of table(
      ['kind', 'TP', 'FP', 'FN', 'prec', 'recall', 'F1', '│', 'acc TP', 'FP', 'FN', 'prec', 'recall', 'F1'],
      card.kinds.filter((score) => KINDS.includes(score.kind)).map((score) => [score.kind, ...cells(score.rooms), '│', ...cells(score.accounts)]),
    )) {
      console.log(`  ${line}`);
    }
    for (const line of table(
      ['style', 'kind', 'rooms', 'detected', '│', 'acc TP', 'FP', 'FN'],
      card.styles.filter((style) => KINDS.includes(style.kind)).map((style) => [style.style, style.kind, style.rooms, style.roomsDetected, '│', style.accounts.tp, style.accounts.fp, style.accounts.fn]),
    )) {
      console.log(`  ${line}`);
    }
    // Reports of an order kind on rooms not labelled with it (honest rooms and rooms attacked otherwise).
    const byStream = new Map(evening.rooms.map((room) => [room.streamId, room]));
    const wrong = reports.filter((report) => !byStream.get(report.streamId)?.labels.kinds.includes(report.kind));
    if (wrong.length > 0) {
      console.log(`  reports on rooms not labelled with their kind: ${wrong.length}`);
      for (const report of wrong.slice(0, 20)) {
        console.log(`    ${report.kind} ${report.subjectType}:${report.subjectId} on ${byStream.get(report.streamId)?.scenario ?? '?'}: ${report.summary.slice(0, 160)}`);
      }
    }
    if (values.verbose) {
      for (const room of evening.rooms.filter((r) => r.labels.kinds.some((kind) => KINDS.includes(kind)))) {
        for (const kind of KINDS.filter((k) => room.labels.kinds.includes(k))) {
          const mine = reports.filter((report) => report.streamId === room.streamId && report.kind === kind);
          const named = new Set(mine.flatMap((report) => (report.subjectType === 'account' ? [report.subjectId] : report.accounts)));
          const missed = room.labels.accounts[kind].filter((account) => !named.has(account));
          console.log(`    ${room.scenario} ${kind}: ${mine.length > 0 ? 'reported' : 'MISSED'}; accounts missed ${missed.length}/${room.labels.accounts[kind].length}`);
        }
      }
    }
    for (const kind of KINDS) {
      const score = card.kinds.find((entry) => entry.kind === kind)!;
      rows.push([seed, kind, ratio(f1(score.rooms)), ratio(f1(score.accounts)), new Set(card.organicFalsePositives.filter((fp) => fp.report.kind === kind).map((fp) => fp.streamId)).size]);
    }
  }
  console.log('');
  for (const line of table(['seed', 'kind', 'room F1', 'account F1', 'honest rooms reported'], rows)) console.log(`  ${line}`);
  return 0;
}

/** The order findings of every stream, in the report shape the scorer reads. */
function judgeEvening(rooms: readonly SimulatedRoom[]): ApiReport[] {
  const events = rooms.flatMap((room) => room.events);
  const ledger = foldLedger(events);
  // The ledger detectors report rooms and accounts of a stream, nothing else.
  return ledger.inputs.flatMap((input) =>
    findingsOverTime(input, ledger).map(
      (finding, index): ApiReport => ({
        ...finding,
        subjectType: finding.subjectType === 'room' ? 'room' : 'account',
        roomId: input.facts.roomId,
        streamId: input.facts.streamId,
        id: `${input.facts.streamId}-${index}`,
        status: 'open' as const,
        version: 1,
        updatedAt: '',
      }),
    ),
  );
}

process.exit(main());
