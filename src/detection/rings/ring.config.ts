/**
 * The numbers that decide what links two accounts and which linked sets are
 * reported as one operator's ring. Each carries its reasoning; the rarity
 * weights themselves come from the observed distribution (ring-graph.ts).
 */
export interface RingConfig {
  /**
   * A pair of accounts is linked when the rarity of what they share, summed
   * over identifier families (each family counted once, its rarest shared
   * identifier), reaches this. A weight is 1 for an identifier nobody else
   * has and 0 for one everybody has, so 1.5 asks for more than one rare
   * identifier in common: one near-unique identifier (a wifi address, a
   * delivery address) is a coincidence households, neighbours and lockers
   * produce; two independent rare ones in common are not.
   * Examples among 50 000 accounts: an office's wifi and
   * building shared by 30 weigh 0.69 + 0.69 = 1.38 (no link); a household's
   * router and address shared by 3 weigh 0.9 + 0.9 = 1.8 (a link: a
   * candidate of household size that is never reported); an operator's phone
   * on 10 accounts, its wallet on 20 and its proxy network on 30 weigh 2.1.
   */
  linkStrength: number;
  /**
   * Identifiers shared by more accounts than this are not walked pair by
   * pair. A cost bound, not a verdict: at 50 000 rows such an identifier
   * weighs under 0.43, and an operator's kit (a handset, a SIM, a wallet)
   * serves tens of accounts, not hundreds.
   */
  maxUsersWalked: number;
  /** Candidate rings grow no further than this many accounts in one update (a cost bound; the walk stops there). */
  maxComponent: number;
  /**
   * Linked sets smaller than this are never reported: households are two to
   * four accounts on one router and one address, sometimes one tablet or one
   * card (the founders' brief and national household sizes, 2.6–3 people);
   * a fifth account sharing all of it is no longer a family.
   */
  minRingSize: number;
  /**
   * Density test: strong links per member. A chain of coincidences (one
   * household tied to the next by a shared locker and a NAT address) is a
   * tree, with fewer links than members; an operator's accounts on a few
   * handsets and wallets are tied many times over. 1.5 links per member
   * (mean degree 3) leaves a tree or a loose chain out.
   */
  minLinksPerMember: number;
  /** Registration burst: at least this many members signed up in one run (a farm's batch). */
  burstMembers: number;
  /**
   * A run of sign-ups: each within this of the one before. Two minutes: a
   * farm's script signs accounts up every few seconds to a minute, for as
   * long as its numbers last; honest sign-ups of one family or office come
   * days apart. A run, not a fixed window, so an hour-long batch is one burst.
   */
  burstGapMs: number;
  /** A payment account shared by at least this many members: beyond a household's card (minRingSize). */
  sharedPaymentMembers: number;
  /** Members named by other detectors' reports before the ring counts them as corroboration. */
  caughtMembers: number;
  /**
   * Synchronised activity: at least `syncMembers` members entering one
   * stream within `syncWindowMs` of each other, in at least `syncRooms`
   * different rooms. One minute: a group-control phone wall joins in
   * seconds; friends who meet in a room do so once, not room after room.
   */
  syncMembers: number;
  syncWindowMs: number;
  syncRooms: number;
  /** Members listed in evidence samples (the report's accounts list names them all). */
  sampleSize: number;
}

export const DEFAULT_RING_CONFIG: RingConfig = {
  linkStrength: 1.5,
  maxUsersWalked: 500,
  maxComponent: 5_000,
  minRingSize: 5,
  minLinksPerMember: 1.5,
  burstMembers: 5,
  burstGapMs: 2 * 60_000,
  sharedPaymentMembers: 5,
  caughtMembers: 2,
  syncMembers: 3,
  syncWindowMs: 60_000,
  syncRooms: 2,
  sampleSize: 20,
};
