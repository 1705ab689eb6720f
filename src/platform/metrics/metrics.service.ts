import { Injectable } from '@nestjs/common';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { StatusRegistry } from '../status/status.registry.js';

/** Latency buckets in seconds, from a fast ack (5 ms) to a stalled one (10 s). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Rows per flush: one small send up to the writer's 4000-row cap. */
const FLUSH_ROW_BUCKETS = [1, 10, 50, 100, 250, 500, 1000, 2000, 4000];

/**
 * The service's Prometheus metrics, on a registry of its own (not prom-client's
 * global one), so two apps in one process, as in the e2e suites, never share
 * counters. Counters and histograms are fed where the work happens; gauges of
 * state that is already counted elsewhere (backlog, queue depths) are read from
 * the status registry at scrape time, so the two can never disagree.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly ingestEvents = new Counter({
    name: 'roomwatch_ingest_events_total',
    help: 'Events received by ingest, by outcome: accepted (newly stored), duplicate (id already stored), rejected (invalid).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly ingestAckSeconds = new Histogram({
    name: 'roomwatch_ingest_ack_seconds',
    help: 'From a send arriving to its ack (after the commit), socket.io and HTTP alike.',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly flushRows = new Histogram({
    name: 'roomwatch_ingest_flush_rows',
    help: 'Rows offered to PostgreSQL in one group-commit flush.',
    buckets: FLUSH_ROW_BUCKETS,
    registers: [this.registry],
  });

  readonly flushSeconds = new Histogram({
    name: 'roomwatch_ingest_flush_seconds',
    help: 'Duration of one group-commit flush (seq reservation, INSERT and commit), by outcome.',
    labelNames: ['outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly decisionSeconds = new Histogram({
    name: 'roomwatch_decision_seconds',
    help: 'From a decision request arriving to its answer (event and decision stored), by event type and decision.',
    labelNames: ['event_type', 'decision'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly stageSeconds = new Histogram({
    name: 'roomwatch_pipeline_stage_seconds',
    help: 'Time one pipeline stage took over one batch (a retried stage counts each attempt), by stage.',
    labelNames: ['stage'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly reports = new Counter({
    name: 'roomwatch_reports_total',
    help: 'Reports created (version 1) and updated (a new version), by kind and severity.',
    labelNames: ['kind', 'severity', 'change'] as const,
    registers: [this.registry],
  });

  constructor(status: StatusRegistry) {
    collectDefaultMetrics({ register: this.registry });
    const part = async (name: string) => status.part(name).catch(() => undefined);
    new Gauge({
      name: 'roomwatch_detection_lag_events',
      help: 'Committed events this process has not yet run through detection (0 on an ingest node: see the detect process).',
      registers: [this.registry],
      async collect() {
        this.set(Number((await part('detection'))?.backlog ?? 0));
      },
    });
    new Gauge({
      name: 'roomwatch_detection_lag_seconds',
      help: 'Event time between the newest committed event handed to detection and the newest it has processed.',
      registers: [this.registry],
      async collect() {
        this.set(Number((await part('detection'))?.lagSeconds ?? 0));
      },
    });
    new Gauge({
      name: 'roomwatch_detection_partitions_held',
      help: 'Log partitions this detect worker holds the lease of (0 where one process runs every room, with no leases).',
      registers: [this.registry],
      async collect() {
        const partitions = (await part('detection'))?.partitions as { held?: number } | undefined;
        if (partitions) this.set(Number(partitions.held ?? 0));
      },
    });
    new Gauge({
      name: 'roomwatch_detection_partition_behind_seqs',
      help: 'Log positions between what the writers have committed and a held partition\'s checkpoint, per partition (detect workers).',
      labelNames: ['partition'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        const partitions = (await part('detection'))?.partitions as { list?: Array<{ partition: number; behindSeq: number }> } | undefined;
        for (const { partition, behindSeq } of partitions?.list ?? []) this.set({ partition: String(partition) }, behindSeq);
      },
    });
    new Gauge({
      name: 'roomwatch_enforcement_deliveries',
      help: 'Enforcement deliveries waiting, by state: first_attempt (counted in backlog), retrying (waiting on the receiver), failed (waiting on a person).',
      labelNames: ['state'] as const,
      registers: [this.registry],
      async collect() {
        const enforcement = await part('enforcement');
        if (!enforcement) return;
        this.set({ state: 'first_attempt' }, Number(enforcement.firstAttempts ?? 0));
        this.set({ state: 'retrying' }, Number(enforcement.retrying ?? 0));
        this.set({ state: 'failed' }, Number(enforcement.failedDeliveries ?? 0));
      },
    });
    new Gauge({
      name: 'roomwatch_queue_jobs',
      help: 'Jobs in the BullMQ enforcement queue, by state.',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      async collect() {
        const enforcement = await part('enforcement');
        if (!enforcement) return;
        for (const state of ['waiting', 'active', 'delayed', 'failedJobs'] as const) {
          this.set({ queue: 'enforcement', state: state === 'failedJobs' ? 'failed' : state }, Number(enforcement[state] ?? 0));
        }
      },
    });
    new Gauge({
      name: 'roomwatch_ingest_queued_rows',
      help: 'Validated rows waiting for a flush (the writer makes senders wait past its bound).',
      registers: [this.registry],
      async collect() {
        this.set(Number((await part('ingest'))?.backlog ?? 0));
      },
    });
  }

  /** Seconds since `startedAt` (a `performance.now()` reading). */
  static since(startedAt: number): number {
    return (performance.now() - startedAt) / 1000;
  }
}
