/**
 * A stream's event-time timers: a binary min-heap of (at, registration order,
 * owner). Equal times fire in registration order, so firing order depends
 * only on the stream's own hooks. A timer already pending for the same owner
 * and time is not added twice (as Flink's timer service dedups per key and
 * timestamp).
 */
export class TimerHeap {
  private readonly at: number[] = [];
  private readonly seq: number[] = [];
  private readonly owner: number[] = [];
  private readonly pending = new Set<number>();
  private nextSeq = 0;

  /** `owners` bounds the owner index, so (at, owner) packs into one exact number for dedup. */
  constructor(private readonly owners: number) {}

  get size(): number {
    return this.at.length;
  }

  peekAt(): number {
    return this.at.length > 0 ? this.at[0] : Number.POSITIVE_INFINITY;
  }

  push(at: number, owner: number): void {
    const key = at * this.owners + owner;
    if (this.pending.has(key)) return;
    this.pending.add(key);
    const seq = this.nextSeq++;
    let i = this.at.length;
    this.at.push(at);
    this.seq.push(seq);
    this.owner.push(owner);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Removes the earliest timer and returns its owner (call only when size > 0). */
  pop(): number {
    const owner = this.owner[0];
    this.pending.delete(this.at[0] * this.owners + owner);
    const last = this.at.length - 1;
    this.swap(0, last);
    this.at.pop();
    this.seq.pop();
    this.owner.pop();
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < this.at.length && this.before(left, smallest)) smallest = left;
      if (right < this.at.length && this.before(right, smallest)) smallest = right;
      if (smallest === i) break;
      this.swap(i, smallest);
      i = smallest;
    }
    return owner;
  }

  private before(a: number, b: number): boolean {
    return this.at[a] < this.at[b] || (this.at[a] === this.at[b] && this.seq[a] < this.seq[b]);
  }

  private swap(a: number, b: number): void {
    [this.at[a], this.at[b]] = [this.at[b], this.at[a]];
    [this.seq[a], this.seq[b]] = [this.seq[b], this.seq[a]];
    [this.owner[a], this.owner[b]] = [this.owner[b], this.owner[a]];
  }
}
