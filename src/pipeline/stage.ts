import type { Finding } from '../detection/engine/finding.js';
import type { CommittedEvent } from '../log/event-log.writer.js';

/**
 * What one stage leaves in the batch context for the stages after it (the
 * streams stage's boundaries, the ledger's change), typed by its slot.
 */
export class ContextSlot<T> {
  /** Only carries T for the compiler: a slot holds no value itself. */
  declare protected readonly valueType: T;

  constructor(
    readonly name: string,
    /** The stage that fills it, for the error when a later stage is listed before it. */
    readonly filledBy: string,
  ) {}
}

/** One run of the stages over some committed events: their findings and what each stage learnt of them. */
export class BatchContext {
  readonly findings: Finding[] = [];
  /** Events an in-memory stage threw on: the pipeline quarantines them at once (a retry in memory cannot differ). */
  readonly rejected: Array<{ committed: CommittedEvent; error: unknown }> = [];
  private readonly slots = new Map<ContextSlot<unknown>, unknown>();

  constructor(readonly events: readonly CommittedEvent[]) {}

  set<T>(slot: ContextSlot<T>, value: T): void {
    this.slots.set(slot, value);
  }

  /** What an earlier stage left; throws when that stage has not run, which is a wrong stage order. */
  get<T>(slot: ContextSlot<T>): T {
    if (!this.slots.has(slot)) throw new Error(`batch context: no ${slot.name} yet; the ${slot.filledBy} stage must run first`);
    return this.slots.get(slot) as T;
  }
}

/**
 * Durable state kept from the batch (the streams directory, the order
 * ledger). Idempotent (set, never increment): the poison quarantine runs it
 * again after a failure, on the whole batch or on a half of it, and a batch
 * comes again after a crash.
 */
export interface StateStage {
  readonly kind: 'state';
  readonly name: string;
  run(context: BatchContext): Promise<void>;
}

/**
 * A detector over the durable state the batch changed (refund brushing,
 * inflated GMV). It reads what the state stages wrote, so it is as
 * idempotent as they are and retried with them.
 */
export interface LedgerDetectionStage {
  readonly kind: 'ledger-detection';
  readonly name: string;
  run(context: BatchContext): Promise<void>;
}

/**
 * Detection held in memory (the live engine). It sees each event not set
 * aside once, and an event it throws on is rejected (context.rejected), not
 * retried. After a restart it is rebuilt from the log by a muted replay.
 */
export interface LiveDetectionStage {
  readonly kind: 'live-detection';
  readonly name: string;
  run(context: BatchContext): Promise<void>;
  /**
   * Starts over empty, with what it keeps durably (cross-room sightings)
   * restored from before log position `beforeSeq`; `partitions`: the
   * partitions whose rooms it will see (null: every room).
   */
  rebuild(beforeSeq: number, partitions: readonly number[] | null): Promise<void>;
  /** Applies events processed before the checkpoint again, muted: what they yield is stored already. */
  replay(events: readonly CommittedEvent[]): void;
}

/** Where the sound findings of a batch go (the report store). */
export interface SinkStage {
  readonly kind: 'sink';
  readonly name: string;
  store(findings: readonly Finding[]): Promise<void>;
}

/**
 * Detection over subjects that span streams and detectors (linked-account
 * rings), run once the sinks hold the batch's findings, so it reads every
 * catch the batch made, the live engine's included, from the store. Its
 * context's findings start as the batch's stored ones; what it adds goes
 * to the sinks in turn. It writes sets recomputed from durable state, so a
 * batch that comes again (an outage throws, as in a sink) changes nothing
 * twice; any other error is logged and its work left to the next change.
 */
export interface AggregateDetectionStage {
  readonly kind: 'aggregate-detection';
  readonly name: string;
  run(context: BatchContext): Promise<void>;
}

export type Stage = StateStage | LedgerDetectionStage | LiveDetectionStage | SinkStage | AggregateDetectionStage;

/**
 * The order kinds must keep: state, then detection over it, then sinks,
 * then the detection over what the sinks stored.
 * Within detection the ledger detectors come first: they are retried with the
 * state stages, and an event they set aside must be known before the engine
 * sees the batch (the engine skips it, as its rebuild after a restart will).
 */
export const STAGE_ORDER: readonly Stage['kind'][] = ['state', 'ledger-detection', 'live-detection', 'sink', 'aggregate-detection'];
