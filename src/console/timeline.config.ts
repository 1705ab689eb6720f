/** Bounds on what one console request may cost; see StreamTimelineService. */
export const TIMELINE_CONFIG = {
  /** The narrowest bucket: one minute, the unit reviewers read rates in. */
  minBucketMs: 60_000,
  /** Buckets grow by whole minutes so a long stream (with late refunds) stays under this many points. */
  maxPoints: 720,
  /**
   * By default a timeline runs from the stream's start to this long after its
   * end (at least 15 minutes, or a quarter of the stream), so the live part
   * is read per minute; later payments and refunds are summed in `after`
   * and shown on request (`to=`).
   */
  tailAfterEndMs: 15 * 60_000,
  tailAfterEndShare: 0.25,
  /** Accounts looked up at once for the evidence table. */
  maxAccounts: 500,
  /** Streams listed per page. */
  maxStreams: 200,
} as const;
