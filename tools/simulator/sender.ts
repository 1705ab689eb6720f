import { io, type Socket } from 'socket.io-client';
import type { RoomEvent } from '../../src/events/event.schema.js';
import { Rng } from './prng.js';

/** CONTRACT.md §2 ingest ack; `error` is how this service says a whole send stored nothing. */
export interface IngestAck {
  accepted: number;
  duplicates: number;
  rejected: Array<{ index: number; id?: string; error: string }>;
  error?: { code: string; message: string; retryable: boolean };
}

export interface SendOptions {
  url: string;
  token: string;
  /** Replay at this multiple of event time; 0 sends as fast as acks allow. */
  speed: number;
  connections?: number;
  batchSize?: number;
  /** Unacknowledged batches allowed across all connections. */
  window?: number;
  ackTimeoutMs?: number;
  maxAttempts?: number;
  onProgress?: (sentEvents: number) => void;
  /**
   * How far out of event-time order a stream's events may reach the service:
   * batches in flight together span at most this much event time. The
   * contract promises disorder "by a few seconds"; without the bound a fast
   * replay would put a minute or more between batches racing each other.
   */
  maxSkewMs?: number;
  /** Deliver as platforms do, over lanes by room; without it, one global ts order over `connections`. */
  lanes?: LaneOptions;
  /**
   * (v2) Events a platform asks a decision for (CONTRACT.md §7) instead of
   * ingesting them: sent one at a time, in their lane's order, by `send`
   * (which stores them as ingest would). Lanes only.
   */
  decide?: Decider;
}

export interface Decider {
  wants(event: RoomEvent): boolean;
  /** Sends the one event for a decision; resolves once it is answered (and so stored). */
  send(event: RoomEvent): Promise<void>;
}

/**
 * How a platform's delivery looks: each connection carries its share of the
 * rooms in its own ts order, so connections drift apart in event time.
 */
export interface LaneOptions {
  /** Connections; a room's events all go over the one its id hashes to. */
  count: number;
  /** Up to this much random delay added to each event's ts before a lane sorts (default 3000, as the contract allows). */
  jitterMs?: number;
  /** Event time each lane is held behind the one before it (lane k+1 waits until lane k has acked past ts + skew); 0 lets lanes drift freely. */
  skewMs?: number;
  /** Seeds the jitter, so a replay sends the same order per lane. */
  seed?: number;
  /**
   * How long before its ts a `sale.opened` is sent (default 30 s): platforms
   * announce the opening ahead (CONTRACT.md §1), with its ts the opening
   * itself.
   */
  announceLeadMs?: number;
}

export interface SendSummary {
  events: number;
  batches: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  rejectedSamples: Array<{ id?: string; error: string }>;
  retries: number;
  elapsedMs: number;
}

const DEFAULTS = { connections: 3, batchSize: 500, window: 8, ackTimeoutMs: 30_000, maxAttempts: 8, maxSkewMs: 2_000 };
/** While pacing, a partly filled batch leaves after this long so replay stays close to event time. */
const PACED_FLUSH_MS = 100;

export class IngestUnauthorizedError extends Error {}

/** Opens one authenticated /ingest connection, failing fast on a refused key. */
async function connect(url: string, token: string): Promise<Socket> {
  const socket = io(`${url.replace(/\/$/, '')}/ingest`, { auth: { token }, transports: ['websocket'], reconnectionDelayMax: 2_000 });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`could not connect to ${url}/ingest within 15 s`)), 15_000);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.on('connect_error', (error: Error) => {
      if (socket.active) return; // transient: socket.io retries by itself
      clearTimeout(timer);
      reject(error.message === 'unauthorized' ? new IngestUnauthorizedError(`${url}/ingest refused the ingest key (unauthorized)`) : error);
    });
  });
  return socket;
}

/**
 * Sends events in batches over several socket.io connections with a bounded
 * window of unacknowledged batches, retrying a batch whose ack says
 * `retryable` (or that times out: resends are idempotent by event id).
 * Batches leave in ts order but are acked in any order, so an `order.paid`
 * can overtake its `order.placed`, as it does on a real platform.
 */
export async function sendEvents(events: readonly RoomEvent[], options: SendOptions): Promise<SendSummary> {
  const settings = { ...DEFAULTS, ...options };
  if (settings.lanes) return sendInLanes(events, settings, settings.lanes);
  if (settings.decide) throw new Error('decide: decisions are sent in lane order; give lanes');
  const startedAt = Date.now();
  const sockets = await Promise.all(Array.from({ length: settings.connections }, () => connect(settings.url, settings.token)));
  const summary: SendSummary = { events: events.length, batches: 0, accepted: 0, duplicates: 0, rejected: 0, rejectedSamples: [], retries: 0, elapsedMs: 0 };
  let sent = 0;
  let inFlight = 0;
  /** First ts of every batch in flight, to bound how far apart racing batches are. */
  const inFlightFirstTs = new Set<{ ts: number }>();
  let nextSocket = 0;
  let failure: Error | null = null;
  const waiters: Array<() => void> = [];
  const release = (): void => {
    inFlight--;
    waiters.shift()?.();
  };

  const deliver = (batch: RoomEvent[], socket: Socket): Promise<void> => deliverBatch(batch, socket, settings, summary);

  const oldestInFlightTs = (): number => {
    let oldest = Number.POSITIVE_INFINITY;
    for (const entry of inFlightFirstTs) oldest = Math.min(oldest, entry.ts);
    return oldest;
  };
  const dispatch = async (batch: RoomEvent[]): Promise<void> => {
    const lastTs = batch[batch.length - 1]!.ts;
    while (inFlight >= settings.window || lastTs - oldestInFlightTs() > settings.maxSkewMs) {
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
    if (failure) throw failure;
    inFlight++;
    const firstTs = { ts: batch[0]!.ts };
    inFlightFirstTs.add(firstTs);
    summary.batches++;
    const socket = sockets[nextSocket++ % sockets.length] as Socket;
    deliver(batch, socket)
      .then(() => {
        sent += batch.length;
        settings.onProgress?.(sent);
      })
      .catch((error: Error) => {
        failure ??= error;
      })
      .finally(() => {
        inFlightFirstTs.delete(firstTs);
        release();
      });
  };

  try {
    const schedule = replaySchedule(events, settings.speed);
    let batch: RoomEvent[] = [];
    let batchOpenedAt = Date.now();
    for (let i = 0; i < events.length; i++) {
      const dueAt = startedAt + (schedule[i] ?? 0);
      const wait = dueAt - Date.now();
      if (wait > 0 && batch.length > 0 && Date.now() - batchOpenedAt >= PACED_FLUSH_MS) {
        await dispatch(batch);
        batch = [];
      }
      if (wait > 0) await sleep(Math.min(wait, PACED_FLUSH_MS));
      if (wait > PACED_FLUSH_MS) {
        i--; // not due yet: look at this event again after the nap
        continue;
      }
      // A batch spanning more than the skew would race its successor by more.
      if (batch.length > 0 && (events[i] as RoomEvent).ts - batch[0]!.ts > settings.maxSkewMs) {
        await dispatch(batch);
        batch = [];
      }
      if (batch.length === 0) batchOpenedAt = Date.now();
      batch.push(events[i] as RoomEvent);
      if (batch.length >= settings.batchSize) {
        await dispatch(batch);
        batch = [];
      }
      if (failure) throw failure;
    }
    if (batch.length > 0) await dispatch(batch);
    while (inFlight > 0) await new Promise<void>((resolve) => waiters.push(resolve));
    if (failure) throw failure;
  } finally {
    for (const socket of sockets) socket.disconnect();
  }
  summary.elapsedMs = Date.now() - startedAt;
  return summary;
}

/**
 * Longest wall-clock pause between two paced events: a quiet stretch of
 * event time (the sign-ups hours before the first stream, a gap between
 * rooms) is shortened to this, or a 300x demo sits silent for minutes while
 * nothing happens in its rooms.
 */
export const MAX_PACED_PAUSE_MS = 2_000;

/**
 * Wall-clock offset (ms from the start of the replay) at which each event is
 * due. Pacing follows event time from the first stream's start to the
 * last one's end, with no pause longer than `MAX_PACED_PAUSE_MS`; what came
 * before (sign-ups weeks ahead) and the refunds that trickle in over the
 * following days are sent at once, or a 100x replay of one evening would
 * take a week.
 */
export function replaySchedule(events: readonly RoomEvent[], speed: number): number[] {
  if (speed <= 0 || events.length === 0) return events.map(() => 0);
  const first = events[0]?.ts ?? 0;
  // What came before the first stream (sign-ups weeks ahead) goes at once, as the tail after the last one does.
  const liveFrom = events.find((event) => event.type === 'stream.started')?.ts ?? first;
  const liveUntil = events.reduce((latest, event) => (event.type === 'stream.ended' ? Math.max(latest, event.ts) : latest), liveFrom);
  const schedule: number[] = [];
  let offset = 0;
  let previousTs = liveFrom;
  for (const event of events) {
    const ts = Math.min(Math.max(event.ts, previousTs), liveUntil);
    offset += Math.min((ts - previousTs) / speed, MAX_PACED_PAUSE_MS);
    previousTs = ts;
    schedule.push(offset);
  }
  return schedule;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

type Settings = typeof DEFAULTS & SendOptions;

/** Sends one batch, retrying while the ack says `retryable` or never comes; counts the ack into the summary. */
async function deliverBatch(batch: RoomEvent[], socket: Socket, settings: Settings, summary: SendSummary): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    let ack: IngestAck | null = null;
    let problem: string;
    try {
      ack = (await socket.timeout(settings.ackTimeoutMs).emitWithAck('events', batch)) as IngestAck;
      problem = ack.error ? `${ack.error.code}: ${ack.error.message}` : '';
    } catch (error) {
      problem = `no ack: ${(error as Error).message}`;
    }
    if (ack && !ack.error) {
      summary.accepted += ack.accepted;
      summary.duplicates += ack.duplicates;
      summary.rejected += ack.rejected.length;
      for (const rejection of ack.rejected) {
        if (summary.rejectedSamples.length < 10) summary.rejectedSamples.push({ id: rejection.id ?? batch[rejection.index]?.id, error: rejection.error });
      }
      return;
    }
    const retryable = ack?.error ? ack.error.retryable : true;
    if (!retryable || attempt >= settings.maxAttempts) {
      throw new Error(`batch of ${batch.length} events starting ${batch[0]?.id} failed after ${attempt} attempt(s): ${problem}`);
    }
    summary.retries++;
    await sleep(Math.min(5_000, 200 * 2 ** (attempt - 1)));
  }
}

/** FNV-1a of a room id: which lane carries the room. */
export function laneOfRoom(roomId: string, lanes: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < roomId.length; i++) hash = Math.imul(hash ^ roomId.charCodeAt(i), 0x01000193) >>> 0;
  return hash % lanes;
}

/** What decides an event's lane: its room, or for an event of no room its account (a platform's account service sends those). */
export function laneKey(event: RoomEvent): string {
  return event.roomId ?? event.accountId ?? event.id;
}

/** Types only v2 senders send: their jitter is drawn apart, so adding them leaves the other events' delivery as it was. */
const V2_TYPES: ReadonlySet<string> = new Set(['sale.opened', 'coupon.claimed', 'account.registered']);

/**
 * Splits events into lanes by room and orders each lane by ts plus 0 to
 * `jitterMs` of random delay, the way each of a platform's connections
 * carries its own rooms. Pure, so the e2e test and the sender agree.
 */
export function planLanes(events: readonly RoomEvent[], lanes: LaneOptions): RoomEvent[][] {
  if (!Number.isInteger(lanes.count) || lanes.count < 1) throw new Error(`lanes.count: must be an integer ≥ 1, got ${lanes.count}`);
  const jitterMs = lanes.jitterMs ?? 3_000;
  const announceLeadMs = lanes.announceLeadMs ?? 30_000;
  const rng = new Rng(lanes.seed ?? 1);
  const v2Rng = new Rng((lanes.seed ?? 1) ^ 0x5a1e0bed);
  const keyed: { event: RoomEvent; key: number; index: number }[][] = Array.from({ length: lanes.count }, () => []);
  events.forEach((event, index) => {
    const jitter = (V2_TYPES.has(event.type) ? v2Rng : rng).uniform(0, jitterMs);
    const sendAt = event.type === 'sale.opened' ? event.ts - announceLeadMs : event.ts;
    keyed[laneOfRoom(laneKey(event), lanes.count)]!.push({ event, key: sendAt + jitter, index });
  });
  return keyed.map((lane) => lane.sort((a, b) => a.key - b.key || a.index - b.index).map((entry) => entry.event));
}

/**
 * One connection per lane, one batch in flight per lane, each lane as fast
 * as its acks allow. With `skewMs`, lane k+1 only sends a batch once lane k
 * has had events acked past that batch's first ts plus the skew (or is done),
 * so the lanes run hours apart in event time.
 */
async function sendInLanes(events: readonly RoomEvent[], settings: Settings, lanes: LaneOptions): Promise<SendSummary> {
  if (settings.speed > 0) throw new Error('lanes: replay over lanes runs as fast as acks allow; speed must be 0');
  const skewMs = lanes.skewMs ?? 0;
  const plan = planLanes(events, lanes);
  const startedAt = Date.now();
  const sockets = await Promise.all(plan.map(() => connect(settings.url, settings.token)));
  const summary: SendSummary = { events: events.length, batches: 0, accepted: 0, duplicates: 0, rejected: 0, rejectedSamples: [], retries: 0, elapsedMs: 0 };
  /** Newest ts each lane has had acknowledged; Infinity once the lane is done. */
  const ackedTs = plan.map(() => Number.NEGATIVE_INFINITY);
  let waiters: Array<() => void> = [];
  let failure: Error | null = null;
  let sent = 0;
  const wake = (): void => {
    const woken = waiters;
    waiters = [];
    for (const resolve of woken) resolve();
  };

  const runLane = async (lane: number): Promise<void> => {
    const laneEvents = plan[lane] as RoomEvent[];
    const socket = sockets[lane] as Socket;
    const decide = settings.decide;
    const waitForSkew = async (firstTs: number): Promise<void> => {
      while (lane > 0 && skewMs > 0 && ackedTs[lane - 1]! < firstTs + skewMs && !failure) await new Promise<void>((resolve) => waiters.push(resolve));
    };
    const done = (count: number, newestTs: number): void => {
      ackedTs[lane] = Math.max(ackedTs[lane]!, newestTs);
      sent += count;
      settings.onProgress?.(sent);
      wake();
    };
    const flush = async (batch: RoomEvent[]): Promise<void> => {
      await waitForSkew(batch[0]!.ts);
      if (failure) return;
      summary.batches++;
      await deliverBatch(batch, socket, settings, summary);
      done(batch.length, Math.max(...batch.map((event) => event.ts)));
    };
    try {
      let batch: RoomEvent[] = [];
      for (const event of laneEvents) {
        if (failure) return;
        if (decide?.wants(event)) {
          // The platform asks at the moment of the order: everything its lane sent before is in first.
          if (batch.length > 0) await flush(batch);
          batch = [];
          await waitForSkew(event.ts);
          if (failure) return;
          await decide.send(event);
          summary.accepted++;
          done(1, event.ts);
          continue;
        }
        batch.push(event);
        if (batch.length >= settings.batchSize) {
          await flush(batch);
          batch = [];
        }
      }
      if (batch.length > 0) await flush(batch);
    } catch (error) {
      failure ??= error as Error;
    } finally {
      ackedTs[lane] = Number.POSITIVE_INFINITY;
      wake();
    }
  };

  try {
    await Promise.all(plan.map((_, lane) => runLane(lane)));
    if (failure) throw failure;
  } finally {
    for (const socket of sockets) socket.disconnect();
  }
  summary.elapsedMs = Date.now() - startedAt;
  return summary;
}
