/**
 * Every number the scalper-bot detector decides with, and why. Figures
 * quoted are from the main generator's honest rushes (`npm run eval`, seeds
 * 7, 11, 13: 200–650 real people per drop, carrier NAT, households, the
 * evening's fast fingers) and from what a person's thumb and a phone can do.
 */
export interface ScalperBotConfig {
  /** Orders this long before `sale.opened.ts` belong to that sale (placed early: before the opening). A cracked check fires seconds, not hours, early. */
  preOpenMs: number;
  /** Orders up to this long after the opening belong to its rush: a limited drop sells out in seconds, a slow one in minutes. */
  rushWindowMs: number;
  /** First judgement this long after the opening (the rush is over, a few seconds of lateness have arrived); again at the window's end and at stream end. */
  firstJudgementMs: number;
  /** A linked group must have at least this many accounts: a household shares a phone, a router and an address among 2–4 people. */
  minGroupAccounts: number;
  /**
   * A device carrying this many accounts (in the stream) is shared in the
   * operator's sense: a family passes one phone among 2; three accounts on
   * one device ordering one drop is an account farm.
   */
  minAccountsPerSharedDevice: number;
  /** Same for a payment account: a couple may share a card; three accounts paying from one are one buyer. */
  minAccountsPerSharedPayment: number;
  /** A device seen on this many IPs in one stream rotates proxies: a phone moving wifi → 4G shows two. */
  minIpsPerRotatingDevice: number;
  /** A drop address shipped to by this many accounts of one linked group is a drop point. */
  minAccountsPerDropAddress: number;
  /** A member-level "who" signal counts for the group when at least this share of its accounts carry it. */
  whoShare: number;
  /** A "share" signal counts when the accounts it covers are at least this share of the group. */
  shareCoverage: number;
  /** An account younger than this at its order is young (honest rushes: ~4 % of people). */
  youngAccountMs: number;
  /**
   * Machine speed: a group whose first orders after the opening spread over
   * an interquartile range this small, from at least `minLatencies` orders,
   * with a median under `maxTightMedianMs`. An honest rush spreads over
   * seconds (IQR ~1.5 s at 200+ people); the few fast fingers land within
   * half a second but are not linked to each other, so they never form a
   * group. A program firing on a timer lands within tens of ms.
   */
  tightLatency: { maxIqrMs: number; minLatencies: number; maxTightMedianMs: number };
  /** Orders before the opening a group must have: one early order can be a clock off by a hair; two is a method. */
  minOrdersBeforeOpen: number;
  /** A group taking this share of the stock (quantity / stock) through many accounts: an honest household takes one or two units of hundreds. */
  minStockShare: number;
  /**
   * Cohorts of accounts in no linked group of `minGroupAccounts`: those on
   * tampered devices (emulators, rooted, hooked, cloud or cloned; honest
   * rushes: ~1.5 % rooted, 0–5 accounts in a drop of 300), and those on
   * phones carrying 3+ accounts (a ring split into small groups; honest:
   * family tablets, a few households per rush). Judged at this size and only
   * with a machine's timing (orders before the opening or the tight spread),
   * never on the stock share: a dozen family tablets take stock honestly.
   * Only a cohort's core counts: its accounts within the densest
   * `tightLatency.maxIqrMs` of first orders, or early. An honest rush puts
   * ~10 % of its buyers in its busiest 150 ms (40 family tablets in a rush
   * of 900: a core of 11–13), so a core also has to crowd that instant
   * `cohortCrowding` times more than the rest of the sale's buyers do.
   */
  minTamperedCohort: number;
  /** How much more a cohort's core must crowd its 150 ms than the rest of the sale (honest subsets: ~1×; a program: 10× and more). */
  cohortCrowding: number;
  /** Orders kept per SKU and stream (bounded state; a sale's rush is hundreds). */
  maxOrdersPerSku: number;
  /** Evidence bounds. */
  maxListed: number;
  /** Opening-second histogram: bins of `binMs` from `fromMs` to `toMs` around the opening; up to `maxBinAccounts` accounts named per bin. */
  histogram: { binMs: number; fromMs: number; toMs: number; maxBinAccounts: number };
  /** Cross-room memory of struck accounts (evidence): sightings sharing this many accounts are the same ring. */
  crossRoomMinShared: number;
  score: { high: number; medium: number };
}

export const DEFAULT_SCALPER_BOT_CONFIG: ScalperBotConfig = {
  preOpenMs: 10 * 60_000,
  rushWindowMs: 5 * 60_000,
  firstJudgementMs: 30_000,
  minGroupAccounts: 5,
  minAccountsPerSharedDevice: 3,
  minAccountsPerSharedPayment: 3,
  minIpsPerRotatingDevice: 3,
  minAccountsPerDropAddress: 3,
  whoShare: 0.5,
  shareCoverage: 0.5,
  youngAccountMs: 30 * 86_400_000,
  tightLatency: { maxIqrMs: 150, minLatencies: 5, maxTightMedianMs: 1_500 },
  minOrdersBeforeOpen: 2,
  minStockShare: 0.15,
  minTamperedCohort: 8,
  cohortCrowding: 3,
  maxOrdersPerSku: 20_000,
  maxListed: 50,
  histogram: { binMs: 100, fromMs: -3_000, toMs: 5_000, maxBinAccounts: 12 },
  crossRoomMinShared: 5,
  score: { high: 0.85, medium: 0.65 },
};
