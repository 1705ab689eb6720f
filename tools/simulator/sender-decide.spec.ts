import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import type { RoomEvent } from '../../src/events/event.schema.js';
import { sendEvents } from './sender.js';

/**
 * (v2) The eval's decision path against a fake service: a socket.io
 * `/ingest` that stores what it is sent, and a fake decider. Flash-sale
 * orders go to the decider, never to ingest, each after everything its lane
 * sent before it.
 */
describe('sendEvents with decisions', () => {
  it('routes the events the decider wants to it, in lane order, and ingests the rest', async () => {
    const http = createServer();
    const io = new Server(http);
    const log: string[] = [];
    io.of('/ingest').on('connection', (socket) => {
      socket.on('events', (batch: RoomEvent[], ack: (body: unknown) => void) => {
        for (const event of batch) log.push(`ingest:${event.id}`);
        ack({ accepted: batch.length, duplicates: 0, rejected: [] });
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const events: RoomEvent[] = Array.from({ length: 30 }, (_, i) =>
      i % 5 === 4
        ? { id: `o${i}`, type: 'order.placed', roomId: 'r1', streamId: 's1', ts: 1_000 + i * 100, accountId: `a${i}`, orderId: `o${i}`, skuId: 'k', quantity: 1, unitPrice: 1, listPrice: 1, currency: 'CNY' }
        : { id: `l${i}`, type: 'like', roomId: 'r1', streamId: 's1', ts: 1_000 + i * 100, accountId: `a${i}`, count: 1 },
    );
    try {
      const summary = await sendEvents(events, {
        url,
        token: 'any',
        speed: 0,
        batchSize: 3,
        lanes: { count: 1, jitterMs: 0 },
        decide: {
          wants: (event) => event.type === 'order.placed',
          send: async (event) => {
            log.push(`decide:${event.id}`);
          },
        },
      });
      expect(summary.accepted).toBe(30);
      expect(log.filter((entry) => entry.startsWith('decide:'))).toEqual(['decide:o4', 'decide:o9', 'decide:o14', 'decide:o19', 'decide:o24', 'decide:o29']);
      expect(log.some((entry) => entry.startsWith('ingest:o'))).toBe(false);
      // Each decision comes after every event before it in the lane.
      expect(log.map((entry) => entry.split(':')[1])).toEqual(events.map((event) => event.id));
    } finally {
      io.close();
      http.close();
    }
  });
});
