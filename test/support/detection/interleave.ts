import type { RoomEvent } from '../../../src/events/event.schema.js';
import { findingKey, type Finding } from '../../../src/detection/engine/finding.js';
import { DetectionEngine, type DeepPartial, type EngineConfig } from '../../../src/detection/engine/engine.js';

/**
 * Splits a log into `lanes` connections by room hash, each in ts order plus
 * up to `jitterMs` of disorder (drawn from `random`), as several senders
 * replaying one evening would deliver it.
 */
export function splitIntoLanes(events: readonly RoomEvent[], lanes: number, jitterMs: number, random: () => number): RoomEvent[][] {
  const split: Array<Array<{ event: RoomEvent; key: number; index: number }>> = Array.from({ length: lanes }, () => []);
  events.forEach((event, index) => split[fnv1a(event.roomId ?? event.accountId ?? event.id) % lanes].push({ event, key: event.ts + random() * jitterMs, index }));
  return split.map((lane) => lane.sort((a, b) => a.key - b.key || a.index - b.index).map((entry) => entry.event));
}

/** FNV-1a of a room id: a stable lane per room. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Interleaves lanes batch by batch, round robin, as senders going as fast as acks allow would. */
export function roundRobin(lanes: readonly RoomEvent[][], batchSize: number): RoomEvent[][] {
  const batches: RoomEvent[][] = [];
  for (let offset = 0; lanes.some((lane) => offset < lane.length); offset += batchSize) {
    for (const lane of lanes) if (offset < lane.length) batches.push(lane.slice(offset, offset + batchSize));
  }
  return batches;
}

/**
 * Feeds batches as the monitor does (process each event, drain after each
 * batch), flushes at the end, and returns the latest finding per key grouped
 * by stream, each stream's findings sorted by key: what the report store holds.
 */
export function findingsByStream(batches: readonly (readonly RoomEvent[])[], config?: DeepPartial<EngineConfig>): Map<string, Finding[]> {
  const engine = new DetectionEngine(config);
  const latest = new Map<string, Finding>();
  const take = (): void => {
    for (const finding of engine.drainFindings()) latest.set(findingKey(finding), finding);
  };
  for (const batch of batches) {
    for (const event of batch) engine.process(event);
    take();
  }
  engine.flush();
  take();
  const byStream = new Map<string, Finding[]>();
  for (const key of [...latest.keys()].sort()) {
    const finding = latest.get(key) as Finding;
    // The engine's findings are all of a stream; a null one would be a ring or merchant finding.
    const streamId = finding.streamId ?? '';
    const list = byStream.get(streamId);
    if (list === undefined) byStream.set(streamId, [finding]);
    else list.push(finding);
  }
  return byStream;
}
