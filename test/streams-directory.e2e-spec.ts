import { StreamRepository } from '../src/state/streams/stream.repository.js';
import { waitForBacklogZero } from './support/status.js';
import { sendBatch, startTestApp, type TestApp } from './support/test-app.js';

/**
 * Where a restart's replay starts (`firstSeqActiveWithin`, read by the
 * monitor): the first log position of every stream the engine could still
 * hold. An ended stream is held minutes, then its tombstone hours
 * (`replayHorizonMs`); one that never ended is held a day of live activity
 * (`unendedReplayHorizonMs`); payments and refunds days later are not
 * activity.
 */

const T0 = Date.UTC(2026, 10, 20, 12, 0, 0);
const HOUR = 3_600_000;
let seq = 0;
const event = (streamId: string, type: string, ts: number, extra: Record<string, unknown> = {}) => ({
  id: `sd-${seq++}`,
  type,
  roomId: `room-${streamId}`,
  streamId,
  ts,
  ...(type === 'stream.started' ? { merchantId: 'm-1' } : {}),
  ...(type === 'comment' ? { accountId: 'a-1', text: 'hi' } : {}),
  ...extra,
});

describe('the streams directory: where a restart replays from', () => {
  let harness: TestApp;
  let ingest: string;

  beforeAll(async () => {
    harness = await startTestApp('streams_directory');
    ingest = (await harness.createKey('ingest')).key;
  }, 60_000);

  afterAll(async () => {
    await harness?.close();
  }, 60_000);

  it('reaches back 27 h for a stream that never ended, 6 h for one that ended, and counts no refund as activity', async () => {
    // Sent oldest first, so a stream wrongly included would pull the answer down to its first seq.
    const batches = [
      // Never ended, quiet 30 h before the newest activity: finalised by the valve a day after.
      [event('unended-older', 'stream.started', T0 - 20 * HOUR), event('unended-older', 'comment', T0 - 20 * HOUR + 1_000)],
      // Ended 10 h before the newest activity: its tombstone is long gone.
      [event('ended-old', 'stream.started', T0), event('ended-old', 'comment', T0 + 1_000), event('ended-old', 'stream.ended', T0 + 2_000)],
      // Never ended, quiet 10 h before the newest activity: the engine still holds it.
      [event('unended', 'stream.started', T0 + 5_000), event('unended', 'comment', T0 + 6_000)],
      // The newest activity, and the old stream's refund three days on (not activity).
      [event('recent', 'stream.started', T0 + 10 * HOUR), event('recent', 'comment', T0 + 10 * HOUR + 1_000)],
      [{ ...event('ended-old', 'order.refunded', T0 + 3 * 24 * HOUR), accountId: 'a-1', orderId: 'o-1', amount: 100, currency: 'CNY' }],
    ];
    for (const batch of batches) {
      const ack = await sendBatch(harness, ingest, batch);
      expect(ack.rejected).toEqual([]);
    }
    await waitForBacklogZero(harness.baseUrl);

    const streams = harness.app.get(StreamRepository);
    const known = await streams.findByIds(['unended', 'unended-older', 'ended-old', 'recent']);
    expect(known.get('ended-old')?.endedAt).not.toBeNull();
    expect(known.get('unended')?.endedAt).toBeNull();
    const firstSeqOf = async (streamId: string) => {
      const rows = await harness.query<{ first_seq: string }>('SELECT first_seq FROM streams WHERE stream_id = $1', [streamId]);
      return Number(rows.rows[0]!.first_seq);
    };
    // 6 h for everything: only the recent stream (the refund three days on moved nothing).
    expect(await streams.firstSeqActiveWithin(6 * HOUR)).toBe(await firstSeqOf('recent'));
    // 27 h for unended streams: the unended one 10 h back, not the one 30 h back, nor the ended one 10 h back.
    expect(await streams.firstSeqActiveWithin(6 * HOUR, 27 * HOUR)).toBe(await firstSeqOf('unended'));
  }, 60_000);
});
