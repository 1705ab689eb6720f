import type { RoomEvent } from '../../src/events/event.schema.js';
import { isStoodDown } from '../../src/detection/engine/finding.js';
import { type ApiReport, fetchAllReports } from '../../tools/simulator/service-harness.js';
import { DAY, T0, honestCrowd, RoomTraffic } from './detection/traffic.js';
import type { ServiceProcess } from './service-process.js';

/**
 * What the "same reports" suites compare (a restart, sharded workers against
 * one process): report contents without ids, versions or wall-clock times,
 * and the stepped emulator farm they send.
 */
export type ReportBody = Pick<ApiReport, 'kind' | 'subjectType' | 'subjectId' | 'streamId' | 'score' | 'severity' | 'summary' | 'accounts' | 'evidence'> & { detectedAt: number | null };

/**
 * Kinds judged over stored state once per processed batch (the ledger and
 * promotion detectors, rings): a report keeps the event time of its first
 * verdict, the newest evidence the batch that first convicted held, so it
 * moves with where batches were cut (a restart, large batches after a
 * backlog, a worker's catch-up pages). Their content is compared in full
 * but for that time.
 */
const BATCH_TIMED_KINDS: ReadonlySet<string> = new Set(['refund_brushing', 'inflated_gmv', 'coupon_abuse', 'cash_out', 'account_ring']);

/**
 * A report that records a path rather than a standing verdict: a ring
 * absorbed into another (`mergedInto`), or any report that stood down
 * (`stoodDown`, scored 0.1, never enforced: a ring that fell apart, a GMV
 * claim whose carts were paid late after all). How far a ring had grown
 * before it merged, or whether a verdict was raised before the facts that
 * cleared it arrived, depends on where batches were cut; the standing
 * reports are compared in full, and a stood-down report counts as none.
 */
export function isReportHistory(report: Pick<ApiReport, 'kind' | 'evidence'>): boolean {
  return (report.kind === 'account_ring' && report.evidence.mergedInto !== undefined) || isStoodDown(report.evidence);
}

/** A holding ring's evidence but for the rings it absorbed: which smaller rings formed first is ring history too. */
function withoutHistory(kind: string, evidence: Record<string, unknown>): Record<string, unknown> {
  if (kind !== 'account_ring') return evidence;
  const { absorbed: _absorbed, ...rest } = evidence;
  return rest;
}

/** Every report's content of the kinds `keep` takes (all by default), keyed by (kind, subject, stream); ring history left out. */
export async function reportContents(service: ServiceProcess, reviewerKey: string, keep: (kind: string) => boolean = () => true): Promise<Map<string, ReportBody>> {
  const contents = new Map<string, ReportBody>();
  for (const report of (await fetchAllReports(service.baseUrl, reviewerKey)).filter((each) => keep(each.kind) && !isReportHistory(each))) {
    const { kind, subjectType, subjectId, streamId, score, severity, summary, accounts, evidence, detectedAt } = report;
    contents.set(`${kind}|${subjectType}|${subjectId}|${streamId}`, {
      kind, subjectType, subjectId, streamId, score, severity, summary, accounts: [...accounts].sort(), evidence: withoutHistory(kind, evidence),
      detectedAt: BATCH_TIMED_KINDS.has(kind) ? null : detectedAt,
    });
  }
  return contents;
}

const MINUTE = 60_000;

/** A room a stepped emulator farm works: `farm-0..149` join in five equal waves while the count shows 1,200. */
export function farmRoom(roomId: string, start: number, seed: number): RoomEvent[] {
  const room = new RoomTraffic(roomId, `${roomId}-stream`).start(start);
  honestCrowd(room, { prefix: `${roomId}-h`, viewers: 60, from: start, to: start + 15 * MINUTE, endAt: start + 25 * MINUTE, seed });
  for (let step = 0; step < 5; step++) {
    for (let i = 0; i < 30; i++) {
      const n = step * 30 + i;
      room.join(`farm-${n}`, start + 2 * MINUTE + step * 40_000 + i * 7, {
        createdAt: T0 - 2 * DAY + n * 10_000,
        model: 'SM-G9810',
        os: 'Android 9',
        emulator: true,
        ip: `103.21.${40 + (n >> 4)}.${n % 16}`,
      });
    }
  }
  for (let t = start + 10_000; t < start + 25 * MINUTE; t += 10_000) room.count(t, 1_200);
  return room.end(start + 25 * MINUTE).sorted();
}
