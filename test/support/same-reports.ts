import type { RoomEvent } from '../../src/events/event.schema.js';
import { type ApiReport, fetchAllReports } from '../../tools/simulator/service-harness.js';
import { DAY, T0, honestCrowd, RoomTraffic } from './detection/traffic.js';
import type { ServiceProcess } from './service-process.js';

/**
 * What the "same reports" suites compare (a restart, sharded workers against
 * one process): report contents without ids, versions or wall-clock times,
 * and the stepped emulator farm they send.
 */
export type ReportBody = Pick<ApiReport, 'kind' | 'subjectType' | 'subjectId' | 'streamId' | 'score' | 'severity' | 'summary' | 'accounts' | 'evidence' | 'detectedAt'>;

/** Every report's content of the kinds `keep` takes (all by default), keyed by (kind, subject, stream). */
export async function reportContents(service: ServiceProcess, reviewerKey: string, keep: (kind: string) => boolean = () => true): Promise<Map<string, ReportBody>> {
  const contents = new Map<string, ReportBody>();
  for (const report of (await fetchAllReports(service.baseUrl, reviewerKey)).filter((each) => keep(each.kind))) {
    const { kind, subjectType, subjectId, streamId, score, severity, summary, accounts, evidence, detectedAt } = report;
    contents.set(`${kind}|${subjectType}|${subjectId}|${streamId}`, {
      kind, subjectType, subjectId, streamId, score, severity, summary, accounts: [...accounts].sort(), evidence, detectedAt,
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
