/**
 * One mechanism for "many did it in the same second or two" (joins, likes):
 * events are counted per bucket of event time; a run of consecutive hot
 * buckets, short and standing well above the room's own rate before and
 * after it, is a burst. Software fires a cliff; a crowd answering a cue
 * ramps over seconds, which makes either a long run or no cliff at all.
 */
export interface BurstRules {
  /** Events are counted per bucket of this length (ms). */
  bucketMs: number;
  /** A bucket is hot with at least this count... */
  minHotBucket: number;
  /** ...and this many times the room's rate before the run (and the bucket after it must stand this far below the run). */
  isolationRatio: number;
  /** A burst spans at most this many buckets. */
  maxBurstBuckets: number;
  /** A burst counts at least this many. */
  minBurst: number;
  /** Buckets over which the room's rate is smoothed; 1 = the bucket just before. */
  baselineBuckets: number;
  /** Count distinct members (likes: accounts tapping) rather than events (joins, which a rejoin adds to). */
  distinct: boolean;
}

export interface Burst<T> {
  /** Start of the first bucket (event time, ms). */
  at: number;
  buckets: number;
  count: number;
  members: ReadonlySet<T>;
}

interface Run<T> {
  start: number;
  buckets: number;
  count: number;
  members: Set<T>;
  /** The room's rate when the run began. */
  before: number;
}

export class BurstRuns<T> {
  private bucket = Number.NEGATIVE_INFINITY;
  private bucketCount = 0;
  private bucketMembers = new Set<T>();
  /** Smoothed count per bucket, quiet buckets counted as zero; bursts feed it too, so a room busy non-stop is its own baseline. */
  private rate = 0;
  private run: Run<T> | undefined = undefined;

  constructor(
    private readonly rules: BurstRules,
    private readonly onBurst: (burst: Burst<T>) => void,
  ) {}

  /** One event at `ts`; `member` joins the bucket's members when given. A late event cannot reshape a closed bucket. */
  add(ts: number, member: T | undefined): void {
    const bucket = Math.floor(ts / this.rules.bucketMs);
    if (bucket < this.bucket) return;
    if (bucket > this.bucket) this.closeBucket(bucket);
    this.bucketCount++;
    if (member !== undefined) this.bucketMembers.add(member);
  }

  /** Closes the current bucket once `watermark` (event time; +Infinity at the end) passed it, so a trailing burst resolves. */
  closeBefore(watermark: number): void {
    if (!Number.isFinite(this.bucket)) return;
    // Events at or after the watermark may still come, so only buckets wholly behind it close.
    const watermarkBucket = Number.isFinite(watermark) ? Math.floor(watermark / this.rules.bucketMs) : this.bucket + 2;
    if (watermarkBucket > this.bucket) this.closeBucket(watermarkBucket);
  }

  private closeBucket(nextBucket: number): void {
    const rules = this.rules;
    const closing = this.bucket;
    const count = rules.distinct ? this.bucketMembers.size : this.bucketCount;
    if (Number.isFinite(closing)) {
      const run = this.run;
      const hotFloor = Math.max(rules.minHotBucket, rules.isolationRatio * (run !== undefined ? run.before : this.rate));
      if (count >= hotFloor) {
        if (run !== undefined) {
          run.buckets++;
          run.count += count;
          for (const member of this.bucketMembers) run.members.add(member);
        } else {
          this.run = { start: closing, buckets: 1, count, members: this.bucketMembers, before: this.rate };
        }
        if (nextBucket > closing + 1) this.finishRun(0);
      } else if (run !== undefined) {
        this.finishRun(count);
      }
      const horizon = rules.baselineBuckets;
      const quiet = Math.min(nextBucket - closing - 1, 10 * horizon);
      this.rate = (this.rate * (1 - 1 / horizon) + count / horizon) * (1 - 1 / horizon) ** quiet;
    }
    this.bucket = nextBucket;
    this.bucketCount = 0;
    this.bucketMembers = new Set();
  }

  private finishRun(countAfter: number): void {
    const rules = this.rules;
    const run = this.run;
    this.run = undefined;
    if (run === undefined) return;
    const count = rules.distinct ? run.members.size : run.count;
    if (run.buckets > rules.maxBurstBuckets || count < rules.minBurst) return;
    if (count / run.buckets < rules.isolationRatio * countAfter) return;
    this.onBurst({ at: run.start * rules.bucketMs, buckets: run.buckets, count, members: run.members });
  }
}
