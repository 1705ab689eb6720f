import { DEFAULT_MEMORY_VALVE_CONFIG } from '../detection/engine/engine.js';

/** The monitor's knobs; none decides a verdict, they bound memory and restart time. */
export interface MonitorConfig {
  /**
   * Events handed over live but not yet processed before the monitor stops
   * holding them in memory and reads the log instead (catch-up mode). At ~300
   * bytes an event this bounds the hand-over queue to tens of MB.
   */
  maxQueuedEvents: number;
  /**
   * seq span read per page while replaying or catching up. Every writer flush
   * reserves a 4096-seq block, so 8 blocks hold at most ~32k events: a page
   * stays a few tens of MB however full the flushes were.
   */
  replayPageSpan: number;
  /**
   * Streams with live activity this recently (event time, before the newest
   * activity) are replayed at restart to rebuild engine state. Must cover
   * the engine's memory valve for ended streams plus tombstones (minutes +
   * 3 h, `memoryValve` in engine.ts), so every ended stream the engine could
   * still hold is rebuilt in full. Cross-room sightings older than this come
   * back from `cohort_sightings` instead.
   */
  replayHorizonMs: number;
  /**
   * The same for streams that have not ended: the engine holds an idle one
   * its valve's idle time (24 h of live activity), then its tombstone (3 h),
   * so their sum, read from the valve (a stream whose connection stalls
   * behind the others must come back whole after a restart, not reopen
   * empty).
   */
  unendedReplayHorizonMs: number;
  /**
   * A detect worker runs at most this many seqs ahead of the slowest other
   * partition's checkpoint. Other workers' cross-room sightings are seen only
   * once their checkpoints vouch for them, so this bounds the stretch of log
   * in which a sighting in one worker's room can miss one in another's: one
   * page, as a single process sees at most one batch at a time. A dead
   * worker's partitions hold the others for its lease TTL, then move.
   */
  maxLeadSeqs: number;
  /**
   * The backlog counts committed events behind the checkpoint up to this
   * many (then shows this many). Seqs come in blocks per flush, so the count
   * is read from the log, an index-only scan this bound keeps to tens of ms;
   * far above the readiness bound (`READY_MAX_DETECTION_LAG`, 200,000) so
   * readiness still reads true.
   */
  maxCountedBacklog: number;
}

export const DEFAULT_MONITOR_CONFIG: MonitorConfig = {
  maxQueuedEvents: 100_000,
  replayPageSpan: 8 * 4096,
  replayHorizonMs: 6 * 60 * 60_000,
  unendedReplayHorizonMs: DEFAULT_MEMORY_VALVE_CONFIG.idleStream.eventTimeMs + DEFAULT_MEMORY_VALVE_CONFIG.tombstone.eventTimeMs,
  maxLeadSeqs: 8 * 4096,
  maxCountedBacklog: 1_000_000,
};

/** How a batch that keeps failing is isolated (see PoisonQuarantine). */
export interface PoisonConfig {
  /**
   * Attempts of a whole batch's retried stages before its failing event is looked
   * for. A non-dependency error that repeats this often is the data, not
   * the moment (a transient one passes on the first retry).
   */
  attempts: number;
  /** Pause before retry n is n times this: long enough for a lock or a restart of a peer to clear. */
  backoffMs: number;
}

export const DEFAULT_POISON_CONFIG: PoisonConfig = { attempts: 3, backoffMs: 200 };
