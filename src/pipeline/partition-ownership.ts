import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { HeldLease, PartitionLeasesRepository } from './partition-leases.repository.js';

/** What the monitor of a detect worker sees of its leases. */
export interface PartitionScope {
  readonly worker: string;
  /** Grows at every change of the held set: a monitor working on an older one rebuilds. */
  readonly generation: number;
  /** Partitions of the log (all workers together). */
  readonly partitionCount: number;
  /** The partitions held now, lowest first, with the tokens they were granted with. */
  held(): readonly HeldLease[];
  onChange(listener: () => void): () => void;
  /** The monitor found leases gone (its checkpoint was fenced off): drop them now, not at the next renewal. */
  lost(partitions: readonly number[]): void;
}

export interface LeaseTiming {
  /** A lease not renewed for this long is free for another worker: how long a dead worker's partitions wait. */
  ttlMs: number;
  /** How often leases are renewed and the share rebalanced: a third of the TTL survives two missed renewals. */
  renewMs: number;
}

type LeaseStore = Pick<PartitionLeasesRepository, 'partitionCount' | 'heartbeat' | 'renew' | 'acquire' | 'release' | 'leave'>;

/**
 * A detect worker's share of the partitions, held as leases in PostgreSQL
 * (see PartitionLeasesRepository). Each renewal: say it is alive, renew what
 * it holds, then move toward a fair share, ceil(partitions / live workers):
 * shed the highest partitions above it (a newcomer takes them at its next
 * renewal), or take free and expired ones below it (a dead worker's, once
 * its leases lapse). No worker decides for another; PostgreSQL's row
 * locks and now() arbitrate, and the checkpoint fence (advancePartitions)
 * stops a worker that lost a lease without noticing from moving past it.
 */
export class PartitionOwnership implements PartitionScope {
  private readonly logger = new Logger(PartitionOwnership.name);
  readonly worker = `detect-${randomUUID()}`;
  private leases: HeldLease[] = [];
  private gen = 0;
  private partitions = 0;
  private liveWorkers = 0;
  private timer?: NodeJS.Timeout;
  private ticking: Promise<void> | null = null;
  private lastRenewedAt = Number.NEGATIVE_INFINITY;
  private readonly listeners = new Set<() => void>();
  private stopped = false;

  constructor(
    private readonly store: LeaseStore,
    readonly timing: LeaseTiming,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get generation(): number {
    return this.gen;
  }

  get partitionCount(): number {
    return this.partitions;
  }

  get workers(): number {
    return this.liveWorkers;
  }

  held(): readonly HeldLease[] {
    return this.leases;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  lost(partitions: readonly number[]): void {
    const gone = new Set(partitions);
    this.replace(this.leases.filter((lease) => !gone.has(lease.partition)));
  }

  /** Takes a first share, then renews on a timer. */
  async start(): Promise<void> {
    this.partitions = await this.store.partitionCount();
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.timing.renewMs);
    this.timer.unref();
  }

  /** Gives every lease back and leaves, so the others take over at once rather than after the TTL. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.ticking;
    const held = this.leases.map((lease) => lease.partition);
    this.replace([]);
    await this.store.release(this.worker, held).catch(() => undefined);
    await this.store.leave(this.worker).catch(() => undefined);
  }

  /** One renewal and rebalance; never two at once. */
  tick(): Promise<void> {
    if (this.ticking) return this.ticking;
    this.ticking = this.renewAndBalance()
      .catch((error: Error) => {
        this.logger.warn(`partition leases: ${error.message}`);
        // Unrenewed, a lease may be another worker's by now: hold nothing past the TTL.
        if (this.now() - this.lastRenewedAt >= this.timing.ttlMs) this.replace([]);
      })
      .finally(() => (this.ticking = null));
    return this.ticking;
  }

  private async renewAndBalance(): Promise<void> {
    if (this.stopped) return;
    const startedAt = this.now();
    const { ttlMs } = this.timing;
    const live = await this.store.heartbeat(this.worker, ttlMs);
    let held = await this.store.renew(this.worker, ttlMs);
    this.lastRenewedAt = startedAt;
    this.liveWorkers = Math.max(1, live.length);
    const fair = Math.ceil(this.partitions / this.liveWorkers);
    if (held.length > fair) {
      const shed = held.slice(fair);
      held = held.slice(0, fair);
      // Dropped here first, so the monitor stops on them; a page in flight is fenced off at its checkpoint.
      this.replace(held);
      await this.store.release(this.worker, shed.map((lease) => lease.partition));
    } else if (held.length < fair) {
      held = [...held, ...(await this.store.acquire(this.worker, fair - held.length, ttlMs))].sort((a, b) => a.partition - b.partition);
    }
    if (this.stopped) {
      await this.store.release(this.worker, held.map((lease) => lease.partition));
      return;
    }
    this.replace(held);
  }

  private replace(next: HeldLease[]): void {
    const same = next.length === this.leases.length && next.every((lease, i) => lease.partition === this.leases[i]!.partition && lease.token === this.leases[i]!.token);
    if (same) return;
    const before = this.leases.length;
    this.leases = next;
    this.gen++;
    this.logger.log(`partitions held: ${before} → ${next.length} (${this.liveWorkers} workers)`);
    for (const listener of this.listeners) listener();
  }
}
