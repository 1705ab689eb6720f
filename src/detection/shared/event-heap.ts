import type { RoomEvent } from '../../events/event.schema.js';

/**
 * The per-stream reorder buffer: events kept sorted by (ts, arrival order)
 * and released from the front. Arrivals are nearly sorted (out of order by a
 * few seconds at most), so inserting by walking back from the tail is O(1)
 * amortised, cheaper than a heap for this input; equal timestamps go in event
 * id order, so release order does not depend on how arrivals interleaved.
 */
export class EventHeap {
  private events: (RoomEvent | undefined)[] = [];
  private times: number[] = [];
  private head = 0;

  get size(): number {
    return this.events.length - this.head;
  }

  peekTs(): number {
    return this.head < this.times.length ? this.times[this.head] : Number.POSITIVE_INFINITY;
  }

  push(event: RoomEvent): void {
    const ts = event.ts;
    const events = this.events;
    const times = this.times;
    let i = events.length;
    events.push(event);
    times.push(ts);
    while (i > this.head && (times[i - 1] > ts || (times[i - 1] === ts && (events[i - 1] as RoomEvent).id > event.id))) {
      events[i] = events[i - 1];
      times[i] = times[i - 1];
      i--;
    }
    events[i] = event;
    times[i] = ts;
  }

  pop(): RoomEvent | undefined {
    if (this.head >= this.events.length) return undefined;
    const event = this.events[this.head];
    // Release the slot at once: a buffer that never fully drains would otherwise pin every released event.
    this.events[this.head] = undefined;
    this.head++;
    if (this.head === this.events.length) {
      this.events = [];
      this.times = [];
      this.head = 0;
    } else if (this.head >= 256 && this.head * 2 >= this.events.length) {
      this.events = this.events.slice(this.head);
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    return event;
  }
}
