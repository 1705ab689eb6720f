import type { RoomEvent } from '../../events/event.schema.js';
import type { Finding, ReportKind, Severity, SubjectType } from './finding.js';
import type { CohortDirectory } from './cohort-directory.js';
import type { ViewerProfile } from '../shared/viewer-profile.js';

/** A finding as a detector states it; the engine adds room, stream and detectedAt. */
export interface FindingDraft {
  kind: ReportKind;
  subjectType: SubjectType;
  subjectId: string;
  score: number;
  severity: Severity;
  summary: string;
  accounts: string[];
  evidence: Record<string, unknown>;
}

/** One tumbling window of a stream, [start, end) in event time. */
export interface WindowBounds {
  start: number;
  end: number;
}

/**
 * What a detector sees of one stream. Everything here is the engine's: the
 * detector keeps its own per-stream state (created by `createStreamState`)
 * and reads shared facts from here.
 */
export interface StreamView {
  readonly roomId: string;
  readonly streamId: string;
  readonly merchantId: string | undefined;
  readonly startedAt: number;
  /** ts of `stream.ended` once it was released, else undefined. */
  readonly endedAt: number | undefined;
  /** Every account seen in the stream, by accountId. */
  readonly viewers: ReadonlyMap<string, ViewerProfile>;
  /** Accounts present now (joined, or active without a join, and not left). */
  readonly presentViewers: number;
  /**
   * The stream's own clock: inside a hook, the ts of the event being handled,
   * the end of the window closing or the time of the timer firing (so it is
   * the same whatever other streams did); between hooks, newest ts − lateness.
   * Events behind it are late.
   */
  readonly watermark: number;
  readonly windowMs: number;
  /** The window the stream is in, or undefined if none is open. */
  readonly openWindow: WindowBounds | undefined;
  /** Cross-room memory (bounded, shared by all streams this engine owns). */
  readonly cohorts: CohortDirectory;
  /** Creates or updates the finding for (kind, subject, this stream); `at` is the event time of the decision. */
  report(draft: FindingDraft, at: number): void;
  /**
   * Event-time timer (Flink's `registerEventTimeTimer`): the engine calls
   * `owner.onTimer(stream, state, at)` once this stream's clock reaches `at`,
   * i.e. after every event with ts < at and before any event with ts >= at,
   * in (at, registration) order; windows closing at the same time close first.
   * One pending timer per (owner, at); a time already passed fires at the
   * next step. At finalisation timers up to the stream's newest ts fire before
   * `onStreamEnd`, later ones are dropped. A timer is a wake-up, not a
   * promise that state still needs it: check on firing.
   */
  registerTimer(owner: Detector<unknown>, at: number): void;
}

/**
 * A detector plug-in. The engine calls the hooks in event-time order per
 * stream (events released from the reorder buffer), so a detector can keep
 * running counters without sorting. Hooks must be deterministic (no wall
 * clock, no randomness, no iteration over unordered hashes of ids) and cheap:
 * `onEvent` O(1) amortised; group analysis belongs in `onWindowClose`, over
 * the candidates that window touched.
 */
export interface Detector<State = unknown> {
  readonly name: string;
  createStreamState(stream: StreamView): State;
  /**
   * Every event of the stream, after the engine has updated the viewer
   * profile. `late` events arrived behind the watermark: their window may be
   * closed already (`stream.openWindow` says which is open). `viewer` is the
   * profile of the event's account (undefined for events without one): key
   * per-account state by it or by its `accountId`, the stream's one copy of
   * the id, rather than by the event's.
   */
  onEvent(stream: StreamView, state: State, event: RoomEvent, late: boolean, viewer: ViewerProfile | undefined): void;
  /** The watermark passed the end of a window the stream had events in. */
  onWindowClose(stream: StreamView, state: State, window: WindowBounds): void;
  /** A timer this detector registered through `stream.registerTimer` is due; `at` is its time (also `stream.watermark`). */
  onTimer?(stream: StreamView, state: State, at: number): void;
  /** The stream ended (or went idle past the timeout); last chance to report. State is dropped after this. */
  onStreamEnd(stream: StreamView, state: State, at: number): void;
  /**
   * The engine dropped a departed viewer's profile (it left long enough ago
   * to no longer matter to open windows): drop per-account state too.
   */
  onViewerEvicted?(stream: StreamView, state: State, profile: ViewerProfile): void;
  /** Rough count of items the detector holds for the stream (for stats and bounded-state checks). */
  trackedItems(state: State): number;
}

export type { Finding };
