import type { Socket } from 'socket.io';
import { WriteBudget } from './socket-write-budget.js';

function fakeSocket() {
  const state = { writable: false, closedWith: undefined as boolean | undefined, destroyed: false };
  const socket = {
    conn: {
      transport: {
        name: 'websocket',
        get writable() {
          return state.writable;
        },
      },
      upgraded: false,
      request: { socket: { destroy: () => (state.destroyed = true) } },
      close: (discard: boolean) => (state.closedWith = discard),
    },
  } as unknown as Socket;
  return { socket, state };
}

describe('WriteBudget', () => {
  it('forgets what was pending once the transport has written everything', () => {
    const { socket, state } = fakeSocket();
    const budget = new WriteBudget(socket, { maxPackets: 3, maxBytes: 1_000 });
    expect(budget.spend(100)).toBe(true);
    expect(budget.spend(100)).toBe(true);
    expect(budget.unwrittenPackets()).toBe(2);
    state.writable = true;
    expect(budget.unwrittenPackets()).toBe(0);
    expect(budget.spend(100)).toBe(true);
    expect(budget.unwrittenBytes()).toBe(0);
  });

  it('drops the connection at once, discarding its buffer, past either bound', () => {
    const byCount = fakeSocket();
    const counted = new WriteBudget(byCount.socket, { maxPackets: 2, maxBytes: 1_000 });
    expect([counted.spend(1), counted.spend(1), counted.spend(1)]).toEqual([true, true, false]);
    expect(byCount.state).toMatchObject({ closedWith: true, destroyed: true });
    expect(counted.dropped).toBe(true);
    expect(counted.spend(1)).toBe(false);

    const bySize = fakeSocket();
    const sized = new WriteBudget(bySize.socket, { maxPackets: 100, maxBytes: 1_000 });
    expect([sized.spend(600), sized.spend(600)]).toEqual([true, false]);
    expect(bySize.state.closedWith).toBe(true);
  });
});
