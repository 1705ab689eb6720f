import { StatusRegistry } from '../status/status.registry.js';
import { MetricsService } from './metrics.service.js';

describe('the metrics service', () => {
  it('reads detection lag, partitions, deliveries and queue depths from the status parts at scrape time', async () => {
    const status = new StatusRegistry();
    let backlog = 120;
    status.register('detection', () => Promise.resolve({ backlog, lagSeconds: 4.5, partitions: { held: 2, list: [{ partition: 3, behindSeq: 40 }, { partition: 9, behindSeq: 0 }] } }));
    status.register('enforcement', () => Promise.resolve({ backlog: 1, firstAttempts: 1, retrying: 2, failedDeliveries: 3, waiting: 4, active: 0, delayed: 5, failedJobs: 6 }));
    const metrics = new MetricsService(status);

    const text = await metrics.registry.metrics();
    expect(text).toContain('roomwatch_detection_lag_events 120');
    expect(text).toContain('roomwatch_detection_lag_seconds 4.5');
    expect(text).toContain('roomwatch_detection_partitions_held 2');
    expect(text).toContain('roomwatch_detection_partition_behind_seqs{partition="3"} 40');
    expect(text).toContain('roomwatch_enforcement_deliveries{state="retrying"} 2');
    expect(text).toContain('roomwatch_enforcement_deliveries{state="failed"} 3');
    expect(text).toContain('roomwatch_queue_jobs{queue="enforcement",state="failed"} 6');
    // Node's default metrics, on the service's own registry.
    expect(text).toContain('process_cpu_user_seconds_total');

    backlog = 0;
    expect(await metrics.registry.getSingleMetricAsString('roomwatch_detection_lag_events')).toContain('roomwatch_detection_lag_events 0');
  });

  it('reads 0 or nothing for a part not registered here, and a part that fails to answer does not fail the scrape', async () => {
    const status = new StatusRegistry();
    status.register('enforcement', () => Promise.reject(new Error('redis down')));
    const metrics = new MetricsService(status);
    const text = await metrics.registry.metrics();
    expect(text).toContain('roomwatch_detection_lag_events 0');
    expect(text).toContain('roomwatch_detection_partitions_held 0');
    expect(text).not.toMatch(/roomwatch_detection_partition_behind_seqs\{/);
    expect(text).not.toMatch(/roomwatch_enforcement_deliveries\{/);
  });

  it('counts what the service records, by its labels', async () => {
    const metrics = new MetricsService(new StatusRegistry());
    metrics.ingestEvents.inc({ outcome: 'accepted' }, 3);
    metrics.reports.inc({ kind: 'injected_viewers', severity: 'high', change: 'created' });
    const text = await metrics.registry.metrics();
    expect(text).toContain('roomwatch_ingest_events_total{outcome="accepted"} 3');
    expect(text).toContain('roomwatch_reports_total{kind="injected_viewers",severity="high",change="created"} 1');
  });
});
