import { readFileSync } from 'node:fs';
import { generateEvening } from '../tools/simulator/generator.js';
import { sendEvents } from '../tools/simulator/sender.js';
import { MetricsServer } from '../src/platform/metrics/metrics-server.js';
import { fetchAllReports } from '../tools/simulator/service-harness.js';
import { waitForBacklogZero } from './support/status.js';
import { startTestApp, TEST_ADMIN_KEY, type TestApp } from './support/test-app.js';

/** Prometheus text format → one value per `name{labels}` (labels as written, in order). */
function parseMetrics(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    values.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return values;
}

function sumOf(values: Map<string, number>, name: string, labelPart = ''): number {
  let sum = 0;
  for (const [key, value] of values) {
    const bare = key.split('{')[0];
    if (bare === name && key.includes(labelPart)) sum += value;
  }
  return sum;
}

describe('Prometheus metrics', () => {
  let harness: TestApp;

  beforeAll(async () => {
    harness = await startTestApp('metrics');
  });

  afterAll(async () => {
    await harness.close();
  }, 30_000);

  it('refuses a scrape without the admin key', async () => {
    expect((await harness.request('/metrics')).status).toBe(401);
  });

  it('counts a simulated evening: events by outcome, acks, flushes, reports, lag and queues', async () => {
    const ingestKey = (await harness.createKey('ingest')).key;
    const reviewerKey = (await harness.createKey('reviewer')).key;
    const evening = generateEvening({ seed: 4242, rooms: 3, attackShare: 0.67 });
    const summary = await sendEvents(evening.events, { url: harness.baseUrl, token: ingestKey, speed: 0 });
    expect(summary.accepted).toBe(evening.events.length);
    // The same events again: every one a duplicate.
    const resent = await sendEvents(evening.events.slice(0, 500), { url: harness.baseUrl, token: ingestKey, speed: 0 });
    expect(resent.duplicates).toBe(500);
    await waitForBacklogZero(harness.baseUrl);

    const response = await fetch(`${harness.baseUrl}/metrics`, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const metrics = parseMetrics(await response.text());

    expect(metrics.get('roomwatch_ingest_events_total{outcome="accepted"}')).toBe(evening.events.length);
    expect(metrics.get('roomwatch_ingest_events_total{outcome="duplicate"}')).toBe(500);
    expect(metrics.get('roomwatch_ingest_events_total{outcome="rejected"}')).toBe(0);
    expect(metrics.get('roomwatch_ingest_ack_seconds_count')).toBeGreaterThanOrEqual(Math.ceil(evening.events.length / 1000));
    expect(metrics.get('roomwatch_ingest_ack_seconds_bucket{le="+Inf"}')).toBe(metrics.get('roomwatch_ingest_ack_seconds_count'));
    // Every offered row is counted once, new or duplicate.
    expect(metrics.get('roomwatch_ingest_flush_rows_sum')).toBe(evening.events.length + 500);
    expect(metrics.get('roomwatch_ingest_flush_seconds_count{outcome="committed"}')).toBe(metrics.get('roomwatch_ingest_flush_rows_count'));

    const reports = await fetchAllReports(harness.baseUrl, reviewerKey);
    expect(reports.length).toBeGreaterThan(0);
    expect(sumOf(metrics, 'roomwatch_reports_total', 'change="created"')).toBe(reports.length);
    const updates = reports.reduce((sum, report) => sum + report.version - 1, 0);
    expect(sumOf(metrics, 'roomwatch_reports_total', 'change="updated"')).toBe(updates);

    // Where detection's time went: every stage ran, and a stage's count is its batches.
    for (const stage of ['streams', 'ledger', 'live engine', 'report store', 'rings']) {
      expect(metrics.get(`roomwatch_pipeline_stage_seconds_count{stage="${stage}"}`)).toBeGreaterThan(0);
    }
    expect(metrics.get('roomwatch_detection_partitions_held')).toBe(0);

    expect(metrics.get('roomwatch_detection_lag_events')).toBe(0);
    expect(metrics.get('roomwatch_detection_lag_seconds')).toBe(0);
    expect(metrics.get('roomwatch_ingest_queued_rows')).toBe(0);
    expect(metrics.has('roomwatch_enforcement_deliveries{state="retrying"}')).toBe(true);
    expect(metrics.get('roomwatch_queue_jobs{queue="enforcement",state="waiting"}')).toBe(0);
    // Node's defaults come along.
    expect(metrics.get('process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
    expect(metrics.has('nodejs_eventloop_lag_seconds')).toBe(true);
  }, 180_000);

  it('times decisions by event type and outcome, and serves every metric the README documents', async () => {
    const ingestKey = (await harness.createKey('ingest')).key;
    const T0 = Date.UTC(2026, 10, 11, 20);
    const order = (n: number) => ({ id: `metrics-dec-${n}`, type: 'order.placed', roomId: 'metrics-room', streamId: 'metrics-stream', ts: T0 + n, accountId: `metrics-buyer-${n}`, orderId: `metrics-order-${n}`, skuId: 'sku', quantity: 1, unitPrice: 990, listPrice: 1_990, currency: 'CNY' });
    for (let n = 0; n < 5; n++) expect((await harness.request('/v1/decisions', { method: 'POST', key: ingestKey, body: order(n) })).status).toBe(200);
    const text = await (await fetch(`${harness.baseUrl}/metrics`, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } })).text();
    const metrics = parseMetrics(text);
    expect(metrics.get('roomwatch_decision_seconds_count{event_type="order.placed",decision="pass"}')).toBe(5);
    expect(metrics.get('roomwatch_decision_seconds_sum{event_type="order.placed",decision="pass"}')).toBeGreaterThan(0);

    // The README's metrics table is the list an operator alerts on: each name in it is served (a gauge with no label set yet is declared).
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const documented = [...readme.matchAll(/^\| `(roomwatch_[a-z_]+)` \|/gm)].map((match) => match[1]!);
    expect(documented.length).toBeGreaterThanOrEqual(14);
    expect(documented.filter((name) => !text.includes(`# TYPE ${name} `))).toEqual([]);
  });

  it('serves them on METRICS_PORT without a key, and not on the public port', async () => {
    const scraped = await startTestApp('metrics_port', { METRICS_PORT: '0' });
    try {
      const port = scraped.app.get(MetricsServer).port();
      expect(port).toBeGreaterThan(0);
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('roomwatch_ingest_events_total');
      const onPublic = await fetch(`${scraped.baseUrl}/metrics`, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
      expect(onPublic.status).toBe(404);
    } finally {
      await scraped.close();
    }
  });
});
