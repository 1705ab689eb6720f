import { parseArgs } from 'node:util';
import { DetectionEngine } from '../../src/detection/engine/engine.js';
import { findingKey, type Finding, type ReportKind } from '../../src/detection/engine/finding.js';
import { intOption, numberOption, ratio, table } from './cli-support.js';
import { ATTACK_STYLES, generateEvening } from './generator.js';
import { f1, precision, recall, scoreReports, type Tally } from './scoring.js';
import type { ApiReport } from './service-harness.js';

const USAGE = `usage: npm run eval:live -- [--seeds 7,11,13] [--rooms 40] [--attack-share 0.4] [--kinds injected_viewers,scripted_comments] [--verbose]
  The live detectors (the detection engine) in process over the main
  generator's labelled evenings, fed in global ts order: no service, no
  database. For iterating on the detectors; the figures of record come from
  \`npm run eval\` (the service over four lanes, the held-out model).`;

function main(): number {
  const { values } = parseArgs({
    options: {
      seeds: { type: 'string' },
      rooms: { type: 'string' },
      'attack-share': { type: 'string' },
      kinds: { type: 'string' },
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
  const kinds = (values.kinds ?? 'injected_viewers,scripted_comments').split(',').map((kind) => kind.trim() as ReportKind);
  for (const seed of seeds) {
    const evening = generateEvening({ seed, rooms, attackShare });
    const engine = new DetectionEngine();
    const latest = new Map<string, Finding>();
    const take = (): void => {
      for (const finding of engine.drainFindings()) latest.set(findingKey(finding), finding);
    };
    evening.events.forEach((event, index) => {
      engine.process(event);
      if (index % 500 === 499) take();
    });
    engine.flush();
    take();
    const reports: ApiReport[] = [...latest.values()]
      .filter((finding) => kinds.includes(finding.kind) && finding.streamId !== null && (finding.subjectType === 'room' || finding.subjectType === 'account'))
      .map((finding, index) => ({
        id: String(index),
        kind: finding.kind,
        subjectType: finding.subjectType as 'room' | 'account',
        subjectId: finding.subjectId,
        roomId: finding.roomId ?? '',
        streamId: finding.streamId ?? '',
        score: finding.score,
        severity: finding.severity,
        status: 'open',
        summary: finding.summary,
        accounts: finding.accounts,
        evidence: finding.evidence,
        detectedAt: finding.detectedAt,
        version: 1,
        updatedAt: '',
      }));
    const card = scoreReports(evening.rooms, reports, [ATTACK_STYLES]);
    console.log(`\n── seed ${seed}: ${evening.rooms.length} rooms, ${evening.events.length} events, ${reports.length} live findings`);
    const cells = (tally: Tally) => [tally.tp, tally.fp, tally.fn, ratio(precision(tally)), ratio(recall(tally)), ratio(f1(tally))];
    for (const line of table(
      ['kind', 'TP', 'FP', 'FN', 'prec', 'recall', 'F1', '│', 'acc TP', 'FP', 'FN', 'prec', 'recall', 'F1'],
      card.kinds.filter((score) => kinds.includes(score.kind)).map((score) => [score.kind, ...cells(score.rooms), '│', ...cells(score.accounts)]),
    )) {
      console.log(`  ${line}`);
    }
    for (const line of table(
      ['style', 'kind', 'rooms', 'detected', '│', 'acc TP', 'FP', 'FN'],
      card.styles.filter((style) => kinds.includes(style.kind)).map((style) => [style.style, style.kind, style.rooms, style.roomsDetected, '│', style.accounts.tp, style.accounts.fp, style.accounts.fn]),
    )) {
      console.log(`  ${line}`);
    }
    const byStream = new Map(evening.rooms.map((room) => [room.streamId, room]));
    const wrong = reports.filter((report) => !byStream.get(report.streamId)?.labels.kinds.includes(report.kind));
    if (wrong.length > 0) {
      console.log(`  reports on rooms not labelled with their kind: ${wrong.length}`);
      for (const report of wrong.slice(0, values.verbose ? 200 : 20)) {
        console.log(`    ${report.kind} ${report.subjectType}:${report.subjectId} on ${byStream.get(report.streamId)?.scenario ?? '?'}: ${report.summary.slice(0, 160)}`);
      }
    }
  }
  return 0;
}

process.exitCode = main();
