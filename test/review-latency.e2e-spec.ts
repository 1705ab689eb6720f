import type { RoomEvent } from '../src/events/event.schema.js';
import { generateEvening } from '../tools/simulator/generator.js';
import { emitWithAck, startTestApp, type TestApp } from './support/test-app.js';

/** Event time replayed per wall-clock second: an hour-long stream in 30 s. */
const SPEED = 120;
const TICK_MS = 100;

interface SentBatch {
  lastTs: number;
  ackedAt: number;
}

describe('live review', () => {
  let harness: TestApp;

  beforeAll(async () => {
    harness = await startTestApp('latency');
  });

  afterAll(async () => {
    await harness.close();
  });

  it('pushes report.created to a reviewer within one second of the events that justify it', async () => {
    // One room, attacked by an emulator farm, replayed live at 120x event time.
    const { events } = generateEvening({ seed: 424242, rooms: 1, attackShare: 1 });
    const reviewer = await harness.createKey('reviewer');
    const ingest = await harness.createKey('ingest');
    const console_ = await harness.connect('/reviews', reviewer.key);
    const created = new Promise<{ report: { detectedAt: number; subjectType: string; kind: string }; receivedAt: number }>((resolve) => {
      console_.on('report.created', (report: { detectedAt: number; subjectType: string; kind: string }) => {
        if (report.subjectType === 'room') resolve({ report, receivedAt: performance.now() });
      });
    });
    let raised = false;
    void created.then(() => (raised = true));

    const platform = await harness.connect('/ingest', ingest.key);
    const sent: SentBatch[] = [];
    const startedAt = performance.now();
    const firstTs = events[0]!.ts;
    let next = 0;
    while (next < events.length && !raised) {
      const dueTs = firstTs + (performance.now() - startedAt) * SPEED;
      const batch: RoomEvent[] = [];
      while (next < events.length && events[next]!.ts <= dueTs) batch.push(events[next++]!);
      if (batch.length > 0) {
        await emitWithAck(platform, 'events', batch);
        sent.push({ lastTs: batch[batch.length - 1]!.ts, ackedAt: performance.now() });
      }
      await new Promise((resolve) => setTimeout(resolve, TICK_MS));
    }

    const { report, receivedAt } = await created;
    // The first stored batch holding an event at or after the moment of detection.
    const justifying = sent.find((batch) => batch.lastTs >= report.detectedAt) ?? sent[sent.length - 1]!;
    const latencyMs = receivedAt - justifying.ackedAt;
    process.stdout.write(`report.created reached the reviewer ${latencyMs.toFixed(0)} ms after the justifying batch was acked\n`);
    expect(report.kind).toBe('injected_viewers');
    expect(latencyMs).toBeLessThan(1_000);
  }, 120_000);
});
