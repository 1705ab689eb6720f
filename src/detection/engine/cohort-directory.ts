/**
 * Cross-room memory of cohorts: "has this group of accounts turned up
 * together in other rooms lately?" (lockstep behaviour, as in CopyCatch and
 * SynchroTrap). Detectors record a sighting when a window closes on a
 * suspicious group and get back the earlier sightings of (nearly) the same
 * group in other rooms.
 *
 * Today one process owns every room and `InMemoryCohortDirectory` serves.
 * Its sightings outlive a restart: the monitor writes each batch's new
 * sightings (`takeJournal`) to PostgreSQL and, at start, `restore`s those
 * its log replay will not record again, so cross-room evidence covers the
 * directory's whole horizon, not just the replay's.
 * When rooms are sharded over several engine processes, a PostgreSQL-backed
 * implementation replaces it: `cohort_sightings(id, room_id, stream_id, at)`
 * and `cohort_sighting_accounts(sighting_id, account_id)` indexed on
 * `(account_id, at)`; `recordSighting` inserts (write-behind, batched per
 * micro-batch) and finds matches with one `GROUP BY sighting_id HAVING
 * count(*) >= min` over the new accounts within the horizon. The call stays synchronous for
 * the detector: the PostgreSQL version answers from a local cache refreshed
 * per micro-batch, so a cross-shard match may surface one batch later.
 */
export interface CohortSighting {
  roomId: string;
  streamId: string;
  /** Event time of the sighting. */
  at: number;
  /** The cohort's accounts (a detector may pass a bounded sample). */
  accounts: readonly string[];
}

export interface CohortMatch {
  roomId: string;
  streamId: string;
  at: number;
  /** Accounts of the new sighting that the earlier one also had. */
  sharedAccounts: number;
  /** Those accounts (capped at `maxSharedListed`). */
  accounts: string[];
}

export interface CohortDirectory {
  /**
   * Stores the sighting and returns the earlier sightings, in other rooms
   * and within the horizon, that share at least `minSharedAccounts` accounts
   * with it, most shared first.
   */
  recordSighting(sighting: CohortSighting): CohortMatch[];
  /** Sightings held (for stats). */
  size(): number;
}

/** A sighting as journalled for persistence: where in the caller's log it was recorded, and its rank among those recorded there. */
export interface JournalledSighting extends CohortSighting {
  position: number;
  ordinal: number;
}

export interface InMemoryCohortDirectoryConfig {
  /** Sightings older than this (event time, against the newest sighting) are forgotten: lockstep is about campaigns, hours not weeks. */
  horizonMs: number;
  /** Hard cap on sightings held, oldest dropped first, so memory stays bounded whatever the traffic. */
  maxSightings: number;
  /** Hard cap on (account, sighting) entries held, oldest sightings dropped first. */
  maxIndexedAccounts: number;
  /** Accounts two sightings must share to match: below ten, overlaps between big honest rooms happen by chance. */
  minSharedAccounts: number;
  /** Accounts of a sighting indexed at most. */
  maxAccountsPerSighting: number;
  maxSharedListed: number;
}

export const DEFAULT_COHORT_DIRECTORY_CONFIG: InMemoryCohortDirectoryConfig = {
  horizonMs: 24 * 3_600_000,
  maxSightings: 20_000,
  maxIndexedAccounts: 500_000,
  minSharedAccounts: 10,
  maxAccountsPerSighting: 2_000,
  maxSharedListed: 2_000,
};

interface StoredSighting {
  id: number;
  roomId: string;
  streamId: string;
  at: number;
  accounts: string[];
}

/**
 * Bounded in-memory directory: an inverted index account → sightings,
 * FIFO expiry by event time and by size. Matching costs O(accounts of the
 * new sighting × sightings per account), both capped.
 */
export class InMemoryCohortDirectory implements CohortDirectory {
  private readonly sightings = new Map<number, StoredSighting>();
  private readonly byAccount = new Map<string, number[]>();
  private indexed = 0;
  private nextId = 0;
  private newestAt = Number.NEGATIVE_INFINITY;
  /**
   * The caller's position in its log (the monitor sets the event's seq before
   * each event), stamped on journalled sightings.
   */
  position = 0;
  private journal: JournalledSighting[] | undefined;
  private journalPosition = Number.NaN;
  private journalOrdinal = 0;

  /** `journal`: keep every new sighting until `takeJournal`, for a caller that persists them. */
  constructor(
    private readonly config: InMemoryCohortDirectoryConfig = DEFAULT_COHORT_DIRECTORY_CONFIG,
    options: { journal?: boolean } = {},
  ) {
    if (options.journal === true) this.journal = [];
  }

  get horizonMs(): number {
    return this.config.horizonMs;
  }

  size(): number {
    return this.sightings.size;
  }

  /** Sightings recorded since the last call, in recording order (empty unless journalling). */
  takeJournal(): JournalledSighting[] {
    if (this.journal === undefined || this.journal.length === 0) return [];
    const taken = this.journal;
    this.journal = [];
    return taken;
  }

  /**
   * Puts back sightings recorded before a restart, oldest first, as if just
   * recorded (no matching, no journal): the caller restores only those its
   * replay will not record again.
   */
  restore(sightings: readonly CohortSighting[]): void {
    for (const sighting of sightings) {
      if (sighting.accounts.length === 0) continue;
      this.newestAt = Math.max(this.newestAt, sighting.at);
      const accounts = [...new Set(sighting.accounts)].slice(0, this.config.maxAccountsPerSighting);
      this.expire(accounts.length);
      this.store(sighting, accounts);
    }
  }

  recordSighting(sighting: CohortSighting): CohortMatch[] {
    if (sighting.accounts.length === 0) return [];
    this.newestAt = Math.max(this.newestAt, sighting.at);
    const accounts = [...new Set(sighting.accounts)].slice(0, this.config.maxAccountsPerSighting);
    this.expire(accounts.length);
    const cutoff = this.newestAt - this.config.horizonMs;
    const shared = new Map<number, string[]>();
    for (const account of accounts) {
      for (const id of this.byAccount.get(account) ?? []) {
        const other = this.sightings.get(id);
        if (other === undefined || other.roomId === sighting.roomId || other.at < cutoff) continue;
        const list = shared.get(id);
        if (list === undefined) shared.set(id, [account]);
        else list.push(account);
      }
    }
    const best = new Map<string, CohortMatch>();
    for (const [id, list] of shared) {
      if (list.length < this.config.minSharedAccounts) continue;
      const other = this.sightings.get(id) as StoredSighting;
      const key = `${other.roomId}\u0000${other.streamId}`;
      const previous = best.get(key);
      if (previous === undefined || list.length > previous.sharedAccounts) {
        best.set(key, {
          roomId: other.roomId,
          streamId: other.streamId,
          at: other.at,
          sharedAccounts: list.length,
          accounts: list.slice(0, this.config.maxSharedListed),
        });
      }
    }
    this.store(sighting, accounts);
    if (this.journal !== undefined) {
      if (this.position !== this.journalPosition) {
        this.journalPosition = this.position;
        this.journalOrdinal = 0;
      }
      this.journal.push({ roomId: sighting.roomId, streamId: sighting.streamId, at: sighting.at, accounts, position: this.position, ordinal: this.journalOrdinal++ });
    }
    return [...best.values()].sort((a, b) => b.sharedAccounts - a.sharedAccounts || a.at - b.at || (a.roomId < b.roomId ? -1 : 1));
  }

  private store(sighting: CohortSighting, accounts: string[]): void {
    const id = this.nextId++;
    this.sightings.set(id, { id, roomId: sighting.roomId, streamId: sighting.streamId, at: sighting.at, accounts });
    for (const account of accounts) {
      const list = this.byAccount.get(account);
      if (list === undefined) this.byAccount.set(account, [id]);
      else list.push(id);
    }
    this.indexed += accounts.length;
  }

  private expire(incoming: number): void {
    const cutoff = this.newestAt - this.config.horizonMs;
    for (const [id, stored] of this.sightings) {
      const full =
        this.sightings.size >= this.config.maxSightings || this.indexed + incoming > this.config.maxIndexedAccounts;
      if (stored.at >= cutoff && !full) break;
      this.sightings.delete(id);
      this.indexed -= stored.accounts.length;
      for (const account of stored.accounts) {
        const list = this.byAccount.get(account);
        if (list === undefined) continue;
        const index = list.indexOf(id);
        if (index >= 0) list.splice(index, 1);
        if (list.length === 0) this.byAccount.delete(account);
      }
    }
  }
}
