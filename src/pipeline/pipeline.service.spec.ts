import type { EngineStats } from '../detection/engine/engine.js';
import { StatusRegistry } from '../platform/status/status.registry.js';
import type { Monitor, MonitorMode } from './monitor.js';
import { PipelineService } from './pipeline.service.js';
import type { QuarantinedEvent } from './quarantine.repository.js';

/** A monitor as the service sees it: a mode and figures, started and stopped. */
class FakeMonitor {
  mode: MonitorMode = 'recovering';
  processedSeq = 40;
  queuedEvents = 2;
  lastError: string | null = 'connect ECONNREFUSED';
  started = 0;
  start(): void {
    this.started++;
    this.mode = 'live';
  }
  stop(): Promise<void> {
    this.mode = 'stopped';
    return Promise.resolve();
  }
  backlog(): Promise<number> {
    return Promise.resolve(2);
  }
  lagSeconds(processed: number | null): number {
    return processed === 1_000 ? 1.5 : -1;
  }
}

function service(monitor: FakeMonitor | null, remote: { processed: number | null; committed: number } = { processed: null, committed: 0 }) {
  const status = new StatusRegistry();
  const replays: Array<{ seq: number; live: boolean }> = [];
  const subject = new PipelineService(
    monitor as unknown as Monitor | null,
    {
      replayQuarantined: (seq, { live }) => {
        replays.push({ seq, live });
        return Promise.resolve({ seq } as QuarantinedEvent);
      },
    },
    { stats: () => ({ maxEventTime: 1_000, liveStreams: 3 }) as EngineStats },
    status,
    { remoteProcessed: () => Promise.resolve(remote.processed) },
    { committedThrough: () => remote.committed },
    // The log as the fake holds it: one event every fourth seq (flushes reserve seq blocks).
    { countRange: (after: number, upTo: number) => Promise.resolve(Math.max(0, Math.floor(upTo / 4) - Math.floor(after / 4))) },
  );
  return { subject, status, replays };
}

describe('the pipeline service', () => {
  describe('in a process that runs detection (ROOMWATCH_ROLE all or detect)', () => {
    it('starts the monitor at boot and shows its progress, the engine and the last error to operators', async () => {
      const monitor = new FakeMonitor();
      const { subject, status } = service(monitor);
      subject.onApplicationBootstrap();
      expect(monitor.started).toBe(1);
      expect(await status.part('detection')).toEqual({
        backlog: 2,
        mode: 'live',
        processedSeq: 40,
        queuedEvents: 2,
        lagSeconds: 1.5,
        engine: { maxEventTime: 1_000, liveStreams: 3 },
        lastError: 'connect ECONNREFUSED',
      });
      // The error text is internal: the public status leaves it out.
      expect((await status.snapshot('public')).components.detection).not.toHaveProperty('lastError');
    });

    it('replays a quarantined event through the live engine too while the monitor runs, and not once it stopped', async () => {
      const monitor = new FakeMonitor();
      const { subject, replays } = service(monitor);
      subject.onApplicationBootstrap();
      await subject.replayQuarantined(5);
      await subject.onApplicationShutdown();
      expect(monitor.mode).toBe('stopped');
      await subject.replayQuarantined(6);
      expect(replays).toEqual([
        { seq: 5, live: true },
        { seq: 6, live: false },
      ]);
    });
  });

  describe('in an ingest-only process (ROOMWATCH_ROLE ingest)', () => {
    it('runs no monitor and counts the events, not the seqs, the detect process has not processed of its commits', async () => {
      const { subject, status } = service(null, { processed: 900, committed: 1_000 });
      subject.onApplicationBootstrap();
      expect(await status.part('detection')).toEqual({ backlog: 25, mode: 'remote', remoteProcessedSeq: 900 });
    });

    it('counts no backlog before the detect process has said anything', async () => {
      const { subject, status } = service(null, { processed: null, committed: 1_000 });
      subject.onApplicationBootstrap();
      expect(await status.part('detection')).toEqual({ backlog: 0, mode: 'remote', remoteProcessedSeq: null });
    });

    it('replays a quarantined event through the durable stages only', async () => {
      const { subject, replays } = service(null);
      subject.onApplicationBootstrap();
      await subject.replayQuarantined(5);
      await subject.onApplicationShutdown();
      expect(replays).toEqual([{ seq: 5, live: false }]);
    });
  });
});
