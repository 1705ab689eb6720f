import { createHash } from 'node:crypto';
import { advancesStreamClock, isLiveActivity, isStreamEvent, type RoomEvent, type StreamEvent } from '../../events/event.schema.js';
import { findingKey, type Finding } from './finding.js';
import type { Detector, FindingDraft, StreamView, WindowBounds } from './detector.js';
import {
  DEFAULT_COHORT_DIRECTORY_CONFIG,
  InMemoryCohortDirectory,
  type CohortDirectory,
  type InMemoryCohortDirectoryConfig,
} from './cohort-directory.js';
import { EventHeap } from '../shared/event-heap.js';
import { TimerHeap } from '../shared/timer-heap.js';
import { mergeConfig, type DeepPartial } from '../shared/deep-partial.js';
import { applyToProfile, newViewerProfile, type ViewerProfile } from '../shared/viewer-profile.js';
import { DEFAULT_INJECTED_VIEWERS_CONFIG, type InjectedViewersConfig } from '../live/injected-viewers/injected-viewers.config.js';
import { InjectedViewersDetector } from '../live/injected-viewers/injected-viewers.detector.js';
import {
  DEFAULT_SCRIPTED_COMMENTS_CONFIG,
  type ScriptedCommentsConfig,
} from '../live/scripted-comments/scripted-comments.config.js';
import { ScriptedCommentsDetector } from '../live/scripted-comments/scripted-comments.detector.js';
import { DEFAULT_SCALPER_BOT_CONFIG, type ScalperBotConfig } from '../live/scalper-bot/scalper-bot.config.js';
import { ScalperBotDetector } from '../live/scalper-bot/scalper-bot.detector.js';

export type { DeepPartial } from '../shared/deep-partial.js';

export interface EngineConfig {
  /** How far behind a stream's newest ts an event may arrive and still be put in order. The contract promises "a few seconds". */
  allowedLatenessMs: number;
  /** Tumbling window length: detectors run their group analysis when one closes, so this bounds detection delay. */
  windowMs: number;
  /**
   * A viewer who left is forgotten this long (on its stream's clock) after
   * leaving, if it has not come back: long enough for its windows to close
   * and for a reconnect to find its profile, short enough that churn does
   * not pile up.
   */
  departedViewerRetentionMs: number;
  memoryValve: MemoryValveConfig;
  cohortDirectory: InMemoryCohortDirectoryConfig;
  injectedViewers: InjectedViewersConfig;
  scriptedComments: ScriptedCommentsConfig;
  /** (v2) Flash-sale scalpers: a stream's orders around each `sale.opened`. */
  scalperBot: ScalperBotConfig;
}

/** Quiet means: the engine's newest event time moved this far, and this many events arrived, since the stream's last event arrived. */
export interface Quiet {
  eventTimeMs: number;
  events: number;
}

/**
 * The only housekeeping on the engine's newest event time across streams,
 * for memory alone: a stream that will send nothing more must not be held
 * forever. Each horizon is measured from the stream's own last arrival, so a
 * lane hours behind the others in event time keeps its streams as long as
 * it keeps sending; the horizons only have to outlast the gap between two
 * arrivals of one stream. Nothing here decides a verdict: a stream is
 * finalised by a valve only once nothing more comes for it, and finalising
 * it later would give the same findings.
 */
export interface MemoryValveConfig {
  /** How often (the engine's newest event time) the valves are checked. */
  sweepIntervalMs: number;
  /**
   * A stream that sent stream.ended and nothing since: finalised (end
   * punctuation) once quiet this long. Stragglers trail stream.ended by a few
   * seconds in their own connection; 2 min of event time covers a lane whose
   * batches are minutes apart in event time, and 10k events covers another
   * lane jumping ahead (four connections of 500-event batches put 1.5k
   * events between two batches of one lane). Until then an ended stream is
   * finalised on its own clock (its watermark passing its end) if its own
   * later events (orders) arrive.
   */
  endedStream: Quiet;
  /**
   * A stream that never ended and went quiet: finalised once no event came
   * for it for 24 h of the engine's live-activity time and 50k events. Quiet
   * on that clock is not quiet on the stream's own: platforms deliver over
   * several connections hours apart, and a connection that stalls (its
   * sender holding it behind the others, a backfill) leaves its rooms silent
   * here while another runs hours of other rooms through (seed 13's eval: a
   * room's lane held 6.7 h of live time and 270k events behind; at the old
   * 3 h the valve finalised it after its first batch and its tombstone
   * swallowed the rest of it, farm and all). A stream is never quiet a
   * whole day while live (its viewer counts alone arrive every few
   * seconds), so a day bounds the memory of streams whose end never came
   * without cutting a delayed one. Payments and refunds days later do not
   * move this clock (`isLiveActivity`).
   */
  idleStream: Quiet;
  /**
   * A finalised stream's tombstone swallows its stragglers (counted, not
   * applied) so they never reopen a fresh stream with none of its viewers:
   * held 3 h of the engine's live-activity time and 50k events after its
   * last event (a straggler renews it). Tombstones are a few bytes; the
   * monitor's restart replay covers each valve plus this (`replayHorizonMs`,
   * 6 h, for ended streams; `unendedReplayHorizonMs`, 27 h, for the rest).
   */
  tombstone: Quiet;
}

export const DEFAULT_MEMORY_VALVE_CONFIG: MemoryValveConfig = {
  sweepIntervalMs: 1_000,
  endedStream: { eventTimeMs: 2 * 60_000, events: 10_000 },
  idleStream: { eventTimeMs: 24 * 3_600_000, events: 50_000 },
  tombstone: { eventTimeMs: 3 * 3_600_000, events: 50_000 },
};

export const DEFAULT_ENGINE_CONFIG: EngineConfig = {
  allowedLatenessMs: 5_000,
  windowMs: 30_000,
  departedViewerRetentionMs: 2 * 60_000,
  memoryValve: DEFAULT_MEMORY_VALVE_CONFIG,
  cohortDirectory: DEFAULT_COHORT_DIRECTORY_CONFIG,
  injectedViewers: DEFAULT_INJECTED_VIEWERS_CONFIG,
  scriptedComments: DEFAULT_SCRIPTED_COMMENTS_CONFIG,
  scalperBot: DEFAULT_SCALPER_BOT_CONFIG,
};

export interface EngineOptions {
  /** Replaces the in-memory directory, e.g. with a PostgreSQL-backed one when rooms are sharded. */
  cohortDirectory?: CohortDirectory;
  /** More detectors (order detectors and the like), run after the built-in ones. */
  extraDetectors?: Detector[];
}

export interface EngineStats {
  eventsProcessed: number;
  /** Events of no stream (v2 account registrations, coupons claimed outside rooms): counted, not applied. */
  streamlessEvents: number;
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
  /** Events with a ts past their stream's stream.ended (trailing payments and refunds): counted, not applied. */
  eventsAfterEnd: number;
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
  /** ts of stream.started, else of the first event released in order (not the first to arrive: that depends on the interleaving). */
  startedAt = Number.NaN;
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
  /** Created at the first registration: most streams of most detectors never need one. */
  timers: TimerHeap | undefined = undefined;
  /** The engine's newest event time and event count when this stream's last event arrived (memory valve only). */
  lastArrivalClock = Number.NEGATIVE_INFINITY;
  lastArrivalCount = 0;

  constructor(
    readonly key: string,
    readonly roomId: string,
    readonly streamId: string,
    readonly windowMs: number,
    readonly cohorts: CohortDirectory,
    private readonly hooks: StreamHooks,
  ) {}

  report(draft: FindingDraft, at: number): void {
    this.hooks.record(this, draft, at);
  }

  registerTimer(owner: Detector<unknown>, at: number): void {
    this.hooks.registerTimer(this, owner, at);
  }
}

/** The engine's side of a stream's `report` and `registerTimer`. */
interface StreamHooks {
  record(stream: StreamState, draft: FindingDraft, at: number): void;
  registerTimer(stream: StreamState, owner: Detector<unknown>, at: number): void;
}

interface Tombstone {
  roomId: string;
  streamId: string;
  key: string;
  findingKeys: Set<string>;
  /** As on the live stream: when its last event (or straggler) arrived. */
  lastArrivalClock: number;
  lastArrivalCount: number;
}

/**
 * The detection engine: fed committed events one at a time, in commit order
 * (not ts order), asked for findings. Pure TypeScript, event time only, state
 * keyed by stream so rooms can be partitioned across processes.
 *
 * Every verdict runs on its stream's own clock. Per stream: events go into a
 * reorder buffer and are released in ts order as the watermark (the stream's
 * newest ts − allowed lateness) passes them; windows close, timers fire and
 * departed viewers are forgotten at their event time, merged with the
 * released events in ts order. A `stream.ended` finalises the stream once its
 * own watermark passes it, or, when nothing more comes for it, by the memory
 * valve (`memoryValve`), the one place that looks at the newest event time
 * across streams and only to free memory.
 *
 * Determinism: for one stream's events in one order (or any order within the
 * lateness), its findings are the same whatever other streams' events come in
 * between and whenever findings are drained; only what the cohort directory
 * returns can grow with what other rooms showed earlier. Every map iterated on
 * the verdict path is insertion-ordered by event order.
 */
export class DetectionEngine {
  readonly config: EngineConfig;
  private readonly detectors: Detector[];
  private readonly cohorts: CohortDirectory;
  private readonly streams = new Map<string, StreamState>();
  /** Oldest last arrival first (a straggler moves its tombstone to the back), so expiry stops at the first one kept. */
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
  /** The newest live-activity time across streams (`isLiveActivity`): read by the memory valve only, never on a verdict path. */
  private maxEventTime = Number.NEGATIVE_INFINITY;
  private nextSweepAt = Number.NEGATIVE_INFINITY;
  private eventsProcessed = 0;
  private streamlessEvents = 0;
  private lateEvents = 0;
  private eventsAfterFinalisation = 0;
  private eventsAfterEnd = 0;
  private evictedStreams = 0;

  private readonly hooks: StreamHooks = {
    record: (stream, draft, at) => this.record(stream, draft, at),
    registerTimer: (stream, owner, at) => {
      const index = this.detectors.indexOf(owner as Detector);
      if (index < 0) throw new Error(`registerTimer: ${owner.name} is not a detector of this engine`);
      if (!Number.isFinite(at)) return;
      stream.timers ??= new TimerHeap(this.detectors.length);
      stream.timers.push(at, index);
    },
  };

  constructor(config?: DeepPartial<EngineConfig>, options: EngineOptions = {}) {
    this.config = mergeConfig<EngineConfig>(DEFAULT_ENGINE_CONFIG, config);
    this.cohorts = options.cohortDirectory ?? new InMemoryCohortDirectory(this.config.cohortDirectory);
    this.detectors = [
      new InjectedViewersDetector(this.config.injectedViewers),
      new ScriptedCommentsDetector(this.config.scriptedComments),
      new ScalperBotDetector(this.config.scalperBot),
      ...(options.extraDetectors ?? []),
    ] as Detector[];
  }

  process(event: RoomEvent): void {
    // An event of no stream has no clock here and opens nothing: its state
    // (registrations, off-room coupon claims) is kept in PostgreSQL by the
    // handlers, and it must not move the memory valve's clock either.
    if (!isStreamEvent(event)) {
      this.streamlessEvents++;
      return;
    }
    this.eventsProcessed++;
    // A sale.opened is announced ahead of its ts: it waits in the buffer for
    // its stream's clock to reach it, and moves neither clock itself.
    const clock = advancesStreamClock(event);
    // The valve's clock is live activity only: refunds of last week's streams are not the evening moving on.
    if (event.ts > this.maxEventTime && isLiveActivity(event)) this.maxEventTime = event.ts;
    // One probe on the stream id; no key string is built per event.
    const found = this.lookup(event.roomId, event.streamId);
    if (found !== undefined && !(found instanceof StreamState)) {
      this.eventsAfterFinalisation++;
      // A straggler renews its tombstone: while its stream still sends, it must not reopen fresh.
      found.lastArrivalClock = this.maxEventTime;
      found.lastArrivalCount = this.eventsProcessed;
      this.tombstones.delete(found.key);
      this.tombstones.set(found.key, found);
    } else {
      const stream = found ?? this.openStream(streamKey(event.roomId, event.streamId), event);
      stream.lastArrivalClock = this.maxEventTime;
      stream.lastArrivalCount = this.eventsProcessed;
      if (event.ts < stream.watermark) {
        this.lateEvents++;
        this.deliver(stream, event, true);
      } else {
        stream.buffer.push(event);
      }
      if (event.type === 'stream.ended' && stream.endReceivedAt === undefined) stream.endReceivedAt = event.ts;
      if (clock && event.ts > stream.maxTs) stream.maxTs = event.ts;
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
   * End of input: releases every buffered event and finalises every stream,
   * as the memory valve would once nothing more came. For replays of a
   * finished log, tests and benchmarks; a live caller never needs it.
   */
  flush(): void {
    for (const stream of [...this.streams.values()]) this.finalise(stream);
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
      streamlessEvents: this.streamlessEvents,
      liveStreams: this.streams.size,
      finalisedStreams: this.tombstones.size,
      trackedAccounts,
      detectorItems,
      bufferedEvents,
      lateEvents: this.lateEvents,
      eventsAfterFinalisation: this.eventsAfterFinalisation,
      eventsAfterEnd: this.eventsAfterEnd,
      evictedStreams: this.evictedStreams,
      findingsHeld: this.findings.size,
      pendingFindings: this.dirty.size,
      cohortSightings: this.cohorts.size(),
      maxEventTime: Number.isFinite(this.maxEventTime) ? this.maxEventTime : null,
    };
  }

  private openStream(key: string, event: StreamEvent): StreamState {
    const stream = new StreamState(key, event.roomId, event.streamId, this.config.windowMs, this.cohorts, this.hooks);
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

  /**
   * Moves the stream's watermark to `watermark` (never back), releasing
   * buffered events in ts order, each after whatever fell due before it.
   */
  private advance(stream: StreamState, watermark: number): void {
    if (watermark <= stream.watermark && stream.buffer.peekTs() > stream.watermark) return;
    const target = Math.max(watermark, stream.watermark);
    while (stream.buffer.size > 0 && stream.buffer.peekTs() <= target) this.release(stream);
    this.runDue(stream, target, target);
    stream.watermark = target;
    if (stream.endReceivedAt !== undefined && target >= stream.endReceivedAt) this.finalise(stream);
  }

  /**
   * Releases the front of the reorder buffer: due work first, then the event,
   * with the stream's clock at its ts. Past its stream.ended a stream takes
   * nothing more: payments and refunds trail it for days (the order ledger
   * has them), and whether one arrives before the stream is let go must not
   * change its verdicts.
   */
  private release(stream: StreamState): void {
    const ts = stream.buffer.peekTs();
    const event = stream.buffer.pop() as StreamEvent;
    if (stream.endReceivedAt !== undefined && ts > stream.endReceivedAt) {
      this.eventsAfterEnd++;
      return;
    }
    this.runDue(stream, ts, ts);
    if (ts > stream.watermark) stream.watermark = ts;
    this.deliver(stream, event, false);
  }

  /**
   * Runs, in event-time order, what falls due at or before `upTo` on the
   * stream's own clock: the open window's close, timers and the forgetting
   * of departed viewers (those two only up to `limit`). Ties: window, then
   * timers, then departures. Each runs with the stream's clock at its time,
   * so the outcome depends only on the stream's released events.
   */
  private runDue(stream: StreamState, upTo: number, limit: number): void {
    const retention = this.config.departedViewerRetentionMs;
    for (;;) {
      const windowEnd = stream.openWindow !== undefined && stream.openWindow.end <= upTo ? stream.openWindow.end : Number.POSITIVE_INFINITY;
      const peeked = stream.timers === undefined ? Number.POSITIVE_INFINITY : stream.timers.peekAt();
      const timerAt = peeked <= limit ? peeked : Number.POSITIVE_INFINITY;
      const departure = this.nextDeparture(stream);
      const departedAt = departure === undefined ? Number.POSITIVE_INFINITY : departure.leftAt + retention;
      const forgetAt = departedAt <= limit ? departedAt : Number.POSITIVE_INFINITY;
      if (windowEnd !== Number.POSITIVE_INFINITY && windowEnd <= timerAt && windowEnd <= forgetAt) {
        this.setClock(stream, windowEnd);
        const window = stream.openWindow as WindowBounds;
        stream.openWindow = undefined;
        for (let i = 0; i < this.detectors.length; i++) this.detectors[i].onWindowClose(stream, stream.detectorStates[i], window);
      } else if (timerAt !== Number.POSITIVE_INFINITY && timerAt <= forgetAt) {
        this.setClock(stream, timerAt);
        const owner = (stream.timers as TimerHeap).pop();
        this.detectors[owner].onTimer?.(stream, stream.detectorStates[owner], timerAt);
      } else if (forgetAt !== Number.POSITIVE_INFINITY && departure !== undefined) {
        this.setClock(stream, forgetAt);
        stream.departedHead++;
        stream.viewers.delete(departure.accountId);
        for (let i = 0; i < this.detectors.length; i++) {
          this.detectors[i].onViewerEvicted?.(stream, stream.detectorStates[i], departure);
        }
      } else {
        break;
      }
    }
    // Compact eagerly: the consumed front still references profiles and would keep them alive.
    if (stream.departedHead >= 32 && stream.departedHead * 2 >= stream.departed.length) {
      stream.departed = stream.departed.slice(stream.departedHead);
      stream.departedHead = 0;
    }
  }

  private setClock(stream: StreamState, at: number): void {
    if (at > stream.watermark) stream.watermark = at;
  }

  /** The oldest departure still to forget, skipping viewers who came back or whose profile was replaced. */
  private nextDeparture(stream: StreamState): ViewerProfile | undefined {
    const departed = stream.departed;
    while (stream.departedHead < departed.length) {
      const profile = departed[stream.departedHead];
      if (!profile.present && profile.leftAt >= 0 && stream.viewers.get(profile.accountId) === profile) return profile;
      stream.departedHead++;
    }
    return undefined;
  }

  private deliver(stream: StreamState, event: StreamEvent, late: boolean): void {
    if (!late && stream.openWindow === undefined) {
      const start = Math.floor(event.ts / stream.windowMs) * stream.windowMs;
      stream.openWindow = { start, end: start + stream.windowMs };
    }
    if (Number.isNaN(stream.startedAt) || event.ts < stream.startedAt) stream.startedAt = event.ts;
    if (event.type === 'stream.started') {
      stream.merchantId = event.merchantId;
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

  /**
   * Ends the stream: releases what its buffer holds, closes its window, fires
   * timers and forgets departures up to its end (stream.ended, else its
   * newest ts), then `onStreamEnd`.
   * Every path here (own watermark past stream.ended, memory valve, flush)
   * does the same, so when a stream is finalised does not change its findings.
   */
  private finalise(stream: StreamState): void {
    while (stream.buffer.size > 0) this.release(stream);
    const at = stream.endReceivedAt ?? stream.maxTs;
    this.runDue(stream, Number.POSITIVE_INFINITY, at);
    stream.watermark = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.detectors.length; i++) this.detectors[i].onStreamEnd(stream, stream.detectorStates[i], at);
    this.streams.delete(stream.key);
    this.evictedStreams++;
    const tombstone: Tombstone = {
      roomId: stream.roomId,
      streamId: stream.streamId,
      key: stream.key,
      findingKeys: stream.findingKeys,
      lastArrivalClock: stream.lastArrivalClock,
      lastArrivalCount: stream.lastArrivalCount,
    };
    this.tombstones.set(stream.key, tombstone);
    this.place(tombstone);
  }

  /** The memory valve (see `MemoryValveConfig`): the only work on the newest event time across streams. */
  private sweep(): void {
    const valve = this.config.memoryValve;
    this.nextSweepAt = this.maxEventTime + valve.sweepIntervalMs;
    for (const stream of [...this.streams.values()]) {
      if (this.quiet(stream, stream.endReceivedAt === undefined ? valve.idleStream : valve.endedStream)) this.finalise(stream);
    }
    for (const [key, tombstone] of this.tombstones) {
      if (!this.quiet(tombstone, valve.tombstone)) break;
      this.tombstones.delete(key);
      this.unplace(tombstone);
      // Pending findings stay until drained; settled ones are the report store's now.
      for (const finding of tombstone.findingKeys) {
        if (this.dirty.has(finding)) this.orphaned.add(finding);
        else this.findings.delete(finding);
      }
    }
  }

  private quiet(entry: { lastArrivalClock: number; lastArrivalCount: number }, quiet: Quiet): boolean {
    return this.maxEventTime - entry.lastArrivalClock >= quiet.eventTimeMs && this.eventsProcessed - entry.lastArrivalCount >= quiet.events;
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
