import { createHash } from 'node:crypto';
import type { RoomEvent } from '../events/event.schema.js';
import { findingKey, type Finding } from './finding.js';
import type { Detector, FindingDraft, StreamView, WindowBounds } from './detector.js';
import {
  DEFAULT_COHORT_DIRECTORY_CONFIG,
  InMemoryCohortDirectory,
  type CohortDirectory,
  type InMemoryCohortDirectoryConfig,
} from './cohort-directory.js';
import { EventHeap } from './shared/event-heap.js';
import { mergeConfig, type DeepPartial } from './shared/deep-partial.js';
import { applyToProfile, newViewerProfile, type ViewerProfile } from './shared/viewer-profile.js';
import { DEFAULT_INJECTED_VIEWERS_CONFIG, type InjectedViewersConfig } from './injected-viewers/injected-viewers.config.js';
import { InjectedViewersDetector } from './injected-viewers/injected-viewers.detector.js';
import {
  DEFAULT_SCRIPTED_COMMENTS_CONFIG,
  type ScriptedCommentsConfig,
} from './scripted-comments/scripted-comments.config.js';
import { ScriptedCommentsDetector } from './scripted-comments/scripted-comments.detector.js';

export type { DeepPartial } from './shared/deep-partial.js';

export interface EngineConfig {
  /** How far behind a stream's newest ts an event may arrive and still be put in order. The contract promises "a few seconds". */
  allowedLatenessMs: number;
  /** Tumbling window length: detectors run their group analysis when one closes, so this bounds detection delay. */
  windowMs: number;
  /** After a stream is finalised, how long (event time) its tombstone swallows stragglers before it is forgotten. */
  streamEvictionGraceMs: number;
  /** A stream with no event for this long (against the engine's newest event time) is finalised without a stream.ended. */
  idleStreamTimeoutMs: number;
  /**
   * A viewer who left is forgotten this long (event time) after leaving, if it
   * has not come back: long enough for its windows to close and for a
   * reconnect to find its profile, short enough that churn does not pile up.
   */
  departedViewerRetentionMs: number;
  /** How often (event time) the engine looks for ended, idle and evictable streams. */
  sweepIntervalMs: number;
  cohortDirectory: InMemoryCohortDirectoryConfig;
  injectedViewers: InjectedViewersConfig;
  scriptedComments: ScriptedCommentsConfig;
}

export const DEFAULT_ENGINE_CONFIG: EngineConfig = {
  allowedLatenessMs: 5_000,
  windowMs: 30_000,
  streamEvictionGraceMs: 10 * 60_000,
  idleStreamTimeoutMs: 30 * 60_000,
  departedViewerRetentionMs: 2 * 60_000,
  sweepIntervalMs: 1_000,
  cohortDirectory: DEFAULT_COHORT_DIRECTORY_CONFIG,
  injectedViewers: DEFAULT_INJECTED_VIEWERS_CONFIG,
  scriptedComments: DEFAULT_SCRIPTED_COMMENTS_CONFIG,
};

export interface EngineOptions {
  /** Replaces the in-memory directory, e.g. with a PostgreSQL-backed one when rooms are sharded. */
  cohortDirectory?: CohortDirectory;
  /** More detectors (order detectors and the like), run after the built-in ones. */
  extraDetectors?: Detector[];
}

export interface EngineStats {
  eventsProcessed: number;
  /** Streams with live state (open, or ended and not yet finalised). */
  liveStreams: number;
  /** Finalised streams whose tombstone is still held. */
  finalisedStreams: number;
  /** Account profiles held across live streams. */
  trackedAccounts: number;
  /** Items the detectors hold (clusters, groups, per-account timing...). */
  detectorItems: number;
  /** Events waiting in reorder buffers. */
  bufferedEvents: number;
  /** Events that arrived behind their stream's watermark (still applied where their window was open). */
  lateEvents: number;
  /** Events for a finalised stream: counted, not applied. */
  eventsAfterFinalisation: number;
  evictedStreams: number;
  findingsHeld: number;
  pendingFindings: number;
  cohortSightings: number;
  /** The engine's newest event time, or null before the first event. */
  maxEventTime: number | null;
}

/**
 * What the engine keeps of a finding: its content until drained, then only
 * a digest of it (to tell a changed finding from a repeat) and the facts a
 * later update keeps. Findings pile up over an evening; their evidence is the
 * report store's to keep, not the engine's.
 */
interface StoredFinding {
  /** Latest content while it waits to be drained, else undefined. */
  pending: Finding | undefined;
  seq: number;
  detectedAt: number;
  digest: string;
}

class StreamState implements StreamView {
  merchantId: string | undefined = undefined;
  startedAt: number;
  endedAt: number | undefined = undefined;
  readonly viewers = new Map<string, ViewerProfile>();
  presentViewers = 0;
  watermark = Number.NEGATIVE_INFINITY;
  openWindow: WindowBounds | undefined = undefined;
  maxTs = Number.NEGATIVE_INFINITY;
  /** ts of a received stream.ended, waiting for the watermark. */
  endReceivedAt: number | undefined = undefined;
  readonly buffer = new EventHeap();
  detectorStates: unknown[] = [];
  readonly findingKeys = new Set<string>();
  /** Departures in event order, for forgetting departed viewers. */
  departed: ViewerProfile[] = [];
  departedHead = 0;

  constructor(
    readonly key: string,
    readonly roomId: string,
    readonly streamId: string,
    firstTs: number,
    readonly windowMs: number,
    readonly cohorts: CohortDirectory,
    private readonly sink: (stream: StreamState, draft: FindingDraft, at: number) => void,
  ) {
    this.startedAt = firstTs;
  }

  report(draft: FindingDraft, at: number): void {
    this.sink(this, draft, at);
  }
}

interface Tombstone {
  roomId: string;
  streamId: string;
  forgetAt: number;
  findingKeys: Set<string>;
}

/**
 * The detection engine: fed committed events one at a time, in commit order
 * (not ts order), asked for findings. Pure TypeScript, event time only, state
 * keyed by stream so rooms can be partitioned across processes.
 *
 * Per stream: events go into a reorder buffer and are released in ts order as
 * the watermark (newest ts − allowed lateness) passes them; a window closes
 * when the watermark passes its end. Events behind the watermark are counted
 * as late and applied at once. A `stream.ended` finalises the stream once the
 * watermark (or the engine's newest event time − lateness) passes it; idle
 * streams are finalised after `idleStreamTimeoutMs` of event time.
 *
 * Determinism: the findings depend on the event sequence only. Drains read
 * and never advance time, and every map iterated on the verdict path is
 * insertion-ordered by event order.
 */
export class DetectionEngine {
  readonly config: EngineConfig;
  private readonly detectors: Detector[];
  private readonly cohorts: CohortDirectory;
  private readonly streams = new Map<string, StreamState>();
  private readonly tombstones = new Map<string, Tombstone>();
  /**
   * streamId → live state or tombstone, for the per-event lookup: one hash
   * probe, no key string built. Stream ids are unique in practice; a second
   * room reusing one goes to `collided`, keyed by room and stream.
   */
  private readonly byStream = new Map<string, StreamState | Tombstone>();
  private readonly collided = new Map<string, StreamState | Tombstone>();
  private readonly findings = new Map<string, StoredFinding>();
  private readonly dirty = new Set<string>();
  /** Findings of forgotten streams that were still pending: dropped once drained. */
  private readonly orphaned = new Set<string>();
  private findingSeq = 0;
  private maxEventTime = Number.NEGATIVE_INFINITY;
  private nextSweepAt = Number.NEGATIVE_INFINITY;
  private eventsProcessed = 0;
  private lateEvents = 0;
  private eventsAfterFinalisation = 0;
  private evictedStreams = 0;

  constructor(config?: DeepPartial<EngineConfig>, options: EngineOptions = {}) {
    this.config = mergeConfig<EngineConfig>(DEFAULT_ENGINE_CONFIG, config);
    this.cohorts = options.cohortDirectory ?? new InMemoryCohortDirectory(this.config.cohortDirectory);
    this.detectors = [
      new InjectedViewersDetector(this.config.injectedViewers),
      new ScriptedCommentsDetector(this.config.scriptedComments),
      ...(options.extraDetectors ?? []),
    ] as Detector[];
  }

  process(event: RoomEvent): void {
    this.eventsProcessed++;
    if (event.ts > this.maxEventTime) this.maxEventTime = event.ts;
    // One probe on the stream id; no key string is built per event.
    const found = this.lookup(event.roomId, event.streamId);
    if (found !== undefined && !(found instanceof StreamState)) {
      this.eventsAfterFinalisation++;
    } else {
      const stream = found ?? this.openStream(streamKey(event.roomId, event.streamId), event);
      if (event.ts < stream.watermark) {
        this.lateEvents++;
        this.deliver(stream, event, true);
      } else {
        stream.buffer.push(event);
      }
      if (event.type === 'stream.ended' && stream.endReceivedAt === undefined) stream.endReceivedAt = event.ts;
      if (event.ts > stream.maxTs) stream.maxTs = event.ts;
      this.advance(stream, stream.maxTs - this.config.allowedLatenessMs);
    }
    if (this.maxEventTime >= this.nextSweepAt) this.sweep();
  }

  /** Findings created or changed since the last drain, latest content per finding, in order of first detection. */
  drainFindings(): Finding[] {
    const drained: Array<{ finding: Finding; seq: number }> = [];
    for (const key of this.dirty) {
      const stored = this.findings.get(key);
      if (stored?.pending === undefined) continue;
      // Cloned: evidence may share objects with detector state that later windows update.
      drained.push({ finding: structuredClone(stored.pending), seq: stored.seq });
      stored.pending = undefined;
    }
    this.dirty.clear();
    for (const key of this.orphaned) this.findings.delete(key);
    this.orphaned.clear();
    return drained.sort((a, b) => a.seq - b.seq).map((entry) => entry.finding);
  }

  /**
   * End of input: releases every buffered event and finalises every stream as
   * if event time had jumped past them all. For replays of a finished log,
   * tests and benchmarks; a live caller never needs it.
   */
  flush(): void {
    for (const stream of [...this.streams.values()]) {
      this.advance(stream, Number.POSITIVE_INFINITY);
      if (this.streams.has(stream.key)) this.finalise(stream, stream.maxTs);
    }
  }

  stats(): EngineStats {
    let trackedAccounts = 0;
    let bufferedEvents = 0;
    let detectorItems = 0;
    for (const stream of this.streams.values()) {
      trackedAccounts += stream.viewers.size;
      bufferedEvents += stream.buffer.size;
      for (let i = 0; i < this.detectors.length; i++) detectorItems += this.detectors[i].trackedItems(stream.detectorStates[i]);
    }
    return {
      eventsProcessed: this.eventsProcessed,
      liveStreams: this.streams.size,
      finalisedStreams: this.tombstones.size,
      trackedAccounts,
      detectorItems,
      bufferedEvents,
      lateEvents: this.lateEvents,
      eventsAfterFinalisation: this.eventsAfterFinalisation,
      evictedStreams: this.evictedStreams,
      findingsHeld: this.findings.size,
      pendingFindings: this.dirty.size,
      cohortSightings: this.cohorts.size(),
      maxEventTime: Number.isFinite(this.maxEventTime) ? this.maxEventTime : null,
    };
  }

  private openStream(key: string, event: RoomEvent): StreamState {
    const stream = new StreamState(
      key,
      event.roomId,
      event.streamId,
      event.ts,
      this.config.windowMs,
      this.cohorts,
      (owner, draft, at) => this.record(owner, draft, at),
    );
    this.streams.set(key, stream);
    this.place(stream);
    stream.detectorStates = this.detectors.map((detector) => detector.createStreamState(stream));
    return stream;
  }

  private lookup(roomId: string, streamId: string): StreamState | Tombstone | undefined {
    const found = this.byStream.get(streamId);
    if (found !== undefined && found.roomId === roomId) return found;
    return this.collided.size > 0 ? this.collided.get(streamKey(roomId, streamId)) : undefined;
  }

  /** Files a stream's live state, or its tombstone in place of it. */
  private place(entry: StreamState | Tombstone): void {
    const found = this.byStream.get(entry.streamId);
    if (found === undefined ? !this.collided.has(streamKey(entry.roomId, entry.streamId)) : found.roomId === entry.roomId) {
      this.byStream.set(entry.streamId, entry);
    } else {
      this.collided.set(streamKey(entry.roomId, entry.streamId), entry);
    }
  }

  private unplace(entry: Tombstone): void {
    if (this.byStream.get(entry.streamId) === entry) this.byStream.delete(entry.streamId);
    else this.collided.delete(streamKey(entry.roomId, entry.streamId));
  }

  /** Moves the stream's watermark to `watermark` (never back), releasing buffered events and closing windows in ts order. */
  private advance(stream: StreamState, watermark: number): void {
    if (watermark <= stream.watermark && stream.buffer.peekTs() > stream.watermark) return;
    const target = Math.max(watermark, stream.watermark);
    while (stream.buffer.size > 0 && stream.buffer.peekTs() <= target) {
      const event = stream.buffer.pop() as RoomEvent;
      this.closeWindowsBefore(stream, event.ts);
      this.deliver(stream, event, false);
      if (!this.streams.has(stream.key)) return;
    }
    stream.watermark = target;
    this.closeWindowsBefore(stream, target);
    if (stream.endReceivedAt !== undefined && target >= stream.endReceivedAt && stream.buffer.size === 0) {
      this.finalise(stream, stream.endReceivedAt);
    }
  }

  private closeWindowsBefore(stream: StreamState, ts: number): void {
    const window = stream.openWindow;
    if (window === undefined || ts < window.end) return;
    stream.openWindow = undefined;
    for (let i = 0; i < this.detectors.length; i++) this.detectors[i].onWindowClose(stream, stream.detectorStates[i], window);
  }

  private deliver(stream: StreamState, event: RoomEvent, late: boolean): void {
    if (!late && stream.openWindow === undefined) {
      const start = Math.floor(event.ts / stream.windowMs) * stream.windowMs;
      stream.openWindow = { start, end: start + stream.windowMs };
    }
    if (event.type === 'stream.started') {
      stream.merchantId = event.merchantId;
      stream.startedAt = Math.min(stream.startedAt, event.ts);
    } else if (event.type === 'stream.ended') {
      stream.endedAt = event.ts;
    }
    const type = event.type;
    let profile: ViewerProfile | undefined;
    if (event.accountId !== undefined && type !== 'stream.started' && type !== 'stream.ended') {
      profile = stream.viewers.get(event.accountId);
      if (profile === undefined) {
        profile = newViewerProfile(event.accountId, event.ts);
        stream.viewers.set(event.accountId, profile);
      }
      const presence = applyToProfile(profile, event);
      stream.presentViewers += presence;
      if (presence < 0) stream.departed.push(profile);
    }
    for (let i = 0; i < this.detectors.length; i++) this.detectors[i].onEvent(stream, stream.detectorStates[i], event, late, profile);
  }

  private finalise(stream: StreamState, at: number): void {
    this.closeWindowsBefore(stream, Number.POSITIVE_INFINITY);
    for (let i = 0; i < this.detectors.length; i++) this.detectors[i].onStreamEnd(stream, stream.detectorStates[i], at);
    this.streams.delete(stream.key);
    this.evictedStreams++;
    const tombstone: Tombstone = {
      roomId: stream.roomId,
      streamId: stream.streamId,
      forgetAt: Math.max(at, stream.maxTs) + this.config.streamEvictionGraceMs,
      findingKeys: stream.findingKeys,
    };
    this.tombstones.set(stream.key, tombstone);
    this.place(tombstone);
  }

  /** Forgets viewers who left more than the retention ago and did not return. */
  private forgetDeparted(stream: StreamState): void {
    const cutoff = stream.watermark - this.config.departedViewerRetentionMs;
    const departed = stream.departed;
    while (stream.departedHead < departed.length) {
      const profile = departed[stream.departedHead];
      if (profile.leftAt >= cutoff && !profile.present) break;
      stream.departedHead++;
      if (profile.present || profile.leftAt < 0) continue;
      if (stream.viewers.get(profile.accountId) !== profile) continue;
      stream.viewers.delete(profile.accountId);
      for (let i = 0; i < this.detectors.length; i++) {
        this.detectors[i].onViewerEvicted?.(stream, stream.detectorStates[i], profile);
      }
    }
    // Compact eagerly: the consumed front still references profiles and would keep them alive.
    if (stream.departedHead >= 32 && stream.departedHead * 2 >= departed.length) {
      stream.departed = departed.slice(stream.departedHead);
      stream.departedHead = 0;
    }
  }

  /** Event-time housekeeping: ended streams whose end the global clock passed, idle streams, departed viewers, expired tombstones. */
  private sweep(): void {
    const now = this.maxEventTime;
    this.nextSweepAt = now + this.config.sweepIntervalMs;
    const lateness = this.config.allowedLatenessMs;
    for (const stream of [...this.streams.values()]) {
      this.forgetDeparted(stream);
      if (stream.endReceivedAt !== undefined && now - lateness >= stream.endReceivedAt) {
        this.advance(stream, Number.POSITIVE_INFINITY);
        if (this.streams.has(stream.key)) this.finalise(stream, stream.endReceivedAt);
      } else if (now - stream.maxTs >= this.config.idleStreamTimeoutMs) {
        this.advance(stream, Number.POSITIVE_INFINITY);
        if (this.streams.has(stream.key)) this.finalise(stream, stream.maxTs);
      }
    }
    for (const [key, tombstone] of this.tombstones) {
      if (now < tombstone.forgetAt) continue;
      this.tombstones.delete(key);
      this.unplace(tombstone);
      // Pending findings stay until drained; settled ones are the report store's now.
      for (const finding of tombstone.findingKeys) {
        if (this.dirty.has(finding)) this.orphaned.add(finding);
        else this.findings.delete(finding);
      }
    }
  }

  private record(stream: StreamState, draft: FindingDraft, at: number): void {
    const key = findingKey({ ...draft, streamId: stream.streamId });
    const existing = this.findings.get(key);
    const finding: Finding = {
      kind: draft.kind,
      subjectType: draft.subjectType,
      subjectId: draft.subjectId,
      roomId: stream.roomId,
      streamId: stream.streamId,
      score: Math.min(1, Math.max(0, draft.score)),
      severity: draft.severity,
      summary: draft.summary,
      accounts: draft.accounts,
      evidence: draft.evidence,
      detectedAt: existing?.detectedAt ?? at,
    };
    const digest = createHash('sha1').update(JSON.stringify(finding)).digest('base64');
    if (existing !== undefined && existing.digest === digest) return;
    this.findings.set(key, { pending: finding, seq: existing?.seq ?? this.findingSeq++, detectedAt: finding.detectedAt, digest });
    stream.findingKeys.add(key);
    this.dirty.add(key);
  }
}

function streamKey(roomId: string, streamId: string): string {
  return `${roomId}\u0000${streamId}`;
}
