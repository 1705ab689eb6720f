import type { RoomEvent } from '../../events/event.schema.js';

interface Entry {
  event: RoomEvent;
  /** Arrival order inside the stream: equal timestamps keep commit order, so release order is deterministic. */
  seq: number;
}

/** Min-heap of events ordered by (ts, arrival seq): the per-stream reorder buffer. */
export class EventHeap {
  private readonly entries: Entry[] = [];

  get size(): number {
    return this.entries.length;
  }

  peekTs(): number {
    return this.entries.length > 0 ? this.entries[0].event.ts : Number.POSITIVE_INFINITY;
  }

  push(event: RoomEvent, seq: number): void {
    const entries = this.entries;
    entries.push({ event, seq });
    let i = entries.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entries[i], entries[parent])) break;
      [entries[i], entries[parent]] = [entries[parent], entries[i]];
      i = parent;
    }
  }

  pop(): RoomEvent | undefined {
    const entries = this.entries;
    if (entries.length === 0) return undefined;
    const top = entries[0];
    const last = entries.pop() as Entry;
    if (entries.length > 0) {
      entries[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < entries.length && before(entries[left], entries[smallest])) smallest = left;
        if (right < entries.length && before(entries[right], entries[smallest])) smallest = right;
        if (smallest === i) break;
        [entries[i], entries[smallest]] = [entries[smallest], entries[i]];
        i = smallest;
      }
    }
    return top.event;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.event.ts < b.event.ts || (a.event.ts === b.event.ts && a.seq < b.seq);
}
