/**
 * Every number the scripted-comments detector decides with, and why. The
 * verdict never rests on text alone: organic chat repeats itself ("rip"
 * waves, "1" on the host's cue, a lucky-bag entry phrase from hundreds of
 * viewers), so a cohort needs at least two independent signals about *who*
 * posts: account origin, shared infrastructure, synchronised timing,
 * machine-regular timing.
 */
export interface ScriptedCommentsConfig {
  template: {
    /**
     * Normalised texts shorter than this are common reactions ("666", "rip",
     * "上链接", "w"): too little text to tell a template from a crowd, so they
     * join no template cluster (their timing is still analysed).
     */
    minNormalisedChars: number;
    /**
     * MinHash slots; bands × rows. 32 = 16 bands of 2 finds 0.4-similar texts
     * as candidates with p ≈ 0.94 (0.5-similar: 0.99); every candidate is then
     * checked against the similarity below, so loose bands cost only lookups.
     */
    hashes: number;
    bands: number;
    /**
     * Estimated n-gram Jaccard similarity with one of a cluster's
     * representatives needed to join it. A template with two or three synonym
     * slots and disguise noise keeps its fills above 0.4 with each other
     * (99.9 % join in the spec's spun campaigns); distinct organic lines of
     * the simulator's and the real-chat vocabularies almost never reach it.
     */
    minSimilarity: number;
    /**
     * Texts a cluster is matched against: its first, and up to this many
     * fills that joined while less than `newRepresentativeBelow` alike to
     * every representative so far, so a template is matched by its variety,
     * not by whichever fill came first. Few, so one loose match cannot chain
     * unrelated chat into one cluster.
     */
    representatives: number;
    newRepresentativeBelow: number;
    /** A cluster not posted to for this long (event time) is dropped: campaigns post in waves minutes apart, not hours. */
    clusterIdleTtlMs: number;
    /** Clusters per stream at most; new texts beyond it are not clustered until old ones expire. */
    maxClustersPerStream: number;
    /** Accounts counted by name per cluster (the rest only counted), bounding one micro-batch. */
    maxAccountsPerCluster: number;
    /** Distinct accounts a template needs before it is a cohort worth judging. */
    minAccounts: number;
  };
  periodic: {
    /**
     * Strict regularity, for an account judged alone: intervals needed and
     * their coefficient of variation. Human chat is bursty (CV ≳ 0.5); timers
     * give ≲ 0.05; 0.1 leaves room for jittered timers. In the real-chat logs
     * no account with 6+ intervals comes near it.
     */
    minIntervals: number;
    maxIntervalCv: number;
    /**
     * Loose regularity, for a member of a cohort another signal already
     * binds: a slow poster has few intervals, and a timer jittered by ±40 %
     * (or by a lognormal factor of σ 0.25) has a CV of 0.23–0.25. Alone this
     * is weak (2.5 % of real-chat accounts with 3+ intervals pass it, 0.3 %
     * with 5+); a cohort needs half its members to.
     */
    cohortMinIntervals: number;
    cohortMaxIntervalCv: number;
    /** Loosely regular accounts with at least this many intervals form the room's rhythm cohort (5 of ~1,900 real-chat accounts with 5+ pass). */
    rhythmMinIntervals: number;
    /** Intervals shorter than this are a burst of typing, not a rhythm. */
    minMeanIntervalMs: number;
    /**
     * For a lone account (no cohort), periodic repetition of one template
     * counts only at intervals this short: a person re-entering a lucky bag
     * every scheduled draw is regular too, but minutes apart.
     */
    loneAccountMaxMeanIntervalMs: number;

    /** Posts of one template by one account for "repeats itself". */
    minTemplateRepeats: number;
  };
  /**
   * The room's own posting floor. Chat slow mode holds everyone to one post
   * per 5–30 s, so a person pasting one line as fast as it lets them posts
   * at a near-fixed interval: the limit's, not a timer's. The floor is read
   * from the room's own intervals (where nobody posts faster), never assumed.
   */
  paceFloor: {
    /** The floor is this quantile of every account's intervals between posts: the fastest few percent, robust to a handful of outliers. */
    quantile: number;
    /** Intervals needed before the floor is known (too few and an honest room's floor is noise). */
    minIntervals: number;
    /**
     * Intervals needed before a cohort member's regularity counts at all.
     * Fans pasting one cheer at slow mode's pace share its period at
     * independent phases, like timers; with this many intervals the room's
     * fastest one is already near the limit (in slow mode nobody posts
     * faster), so the pasters sit at the floor. Until then regular timing
     * says nothing about anyone.
     */
    cohortMinIntervals: number;
    /** An account whose mean interval is within this factor of the floor is posting at the limit: its regularity says nothing. */
    margin: number;
  };
  /**
   * A template posted on a clock: the gaps between its consecutive posts,
   * by whoever posts them, are near one length. A relay ring taking turns,
   * a chain passing one line on, a scheduler releasing a pool's accounts
   * one by one. Real people asking the same thing, or copying a comment,
   * post it at random moments or in a burst that thins out (gap CV ≳ 0.5 in
   * every real-chat cluster).
   */
  clock: {
    /** Recent posts of a cluster kept (times and posters), for the clock and the rotation. */
    postsKept: number;
    /** Gaps among them needed before a clock is judged. */
    minGaps: number;
    /** Median gap at least this: faster is a burst of typing, which lockstep analysis covers. */
    minMedianGapMs: number;
    /** A gap is on the clock within this fraction of the median gap (jitter of ±15 % on both posts gives ±30 %). */
    gapTolerance: number;
    /** Share of kept gaps on the clock: a Poisson crowd puts ~25 % of gaps within ±35 % of their median. */
    minOnClockShare: number;
  };
  /**
   * Turn-taking: the cluster's recent posters repeat one order (A B C D E A
   * B C D E): a ring asking one question in turn. Strangers never queue.
   */
  rotation: {
    /** Accounts in a rotation at least (fewer is two people chatting). */
    minLength: number;
    /** Rounds seen at least. */
    minRounds: number;
    /** Share of posts whose poster is the one a rotation of that length predicts. */
    minMatchShare: number;
  };
  /**
   * One timer setting: loosely regular members whose periods agree, at
   * independent phases. A crowd answering a host's scheduled cue (a draw
   * every 5 minutes) is regular and agrees on the period too, but posts at
   * the same moments: its phases concentrate.
   */
  cadence: {
    /** Largest period over smallest within one cadence group. */
    maxPeriodRatio: number;
    /** Mean resultant length of members' phases (0 spread evenly, 1 all at once) above which the cadence is the room's cue, not a timer. */
    maxPhaseConcentration: number;
  };
  sync: {
    /** Post times are compared in buckets this long. Scripts fire within a second; a crowd answering a cue spreads over 5–20 s. */
    bucketMs: number;
    /** Posts (distinct buckets) an account needs before its timing is compared: fewer give chance matches in busy rooms. */
    minPosts: number;
    /** Recent buckets kept per account (bounds memory and the comparison). */
    bucketsKept: number;
    /** Jaccard similarity of two accounts' bucket sets to count them as posting in lockstep. */
    minSimilarity: number;
    /** Accounts in a lockstep group before it is a cohort. */
    minAccounts: number;
    /** Accounts compared per window at most (the busiest first-come), bounding the micro-batch. */
    maxAccountsPerWindow: number;
  };
  cohort: {
    youngAccountMaxAgeMs: number;
    /** Shares of a cohort that make its origin suspicious; an honest chat mixes old and new accounts. */
    minYoungShare: number;
    /** A bulk-registration batch spans hours to days; an honest chat's sign-ups spread over years. */
    coCreatedSpanMs: number;
    minCoCreatedShare: number;
    /**
     * A pool registered in several sittings weeks apart fills no one
     * creation window; a member created within this long of `subnetPeers` - 1
     * others sat in a sitting. The same `minCoCreatedShare` of members must.
     */
    creationClumpSpanMs: number;
    /**
     * Share of a cohort on device ids another member also uses (several
     * accounts on one handset), and, as a separate signal, share on crowded
     * subnets, emulators or one model. Households share a phone among two or
     * three people, not half of a chatting cohort; a campus shares a network,
     * not handsets: the two are different physical facts.
     */
    minSharedInfraShare: number;
    subnetPeers: number;
    /**
     * Members running one model as emulators or rooted that make it the
     * cohort's build: its other members on that model count as on the
     * cohort's hardware too (root checks miss hidden root and some images,
     * so a farm's image of one model is flagged on most phones, not all).
     * Three: one rooted phone is an enthusiast, two can be friends who root
     * alike; three of one model in one cohort were set up together. It only
     * names members of a cohort judged on other grounds; no group test reads it.
     */
    tamperedModelPeers: number;
    minEmulatorShare: number;
    /**
     * Model concentration: even the most popular phone is well under half of
     * an honest crowd, and its three most popular ones about a third; a farm
     * buys one to three models by the crate. Either covering this share is
     * shared infrastructure.
     */
    minTopModelShare: number;
    fewModels: number;
    minMembersWithModel: number;
    /** Share of a cohort posting in lockstep / at machine-regular intervals for that signal to hold. */
    minSyncShare: number;
    minPeriodicShare: number;
    /** Share of a cohort on one cadence group, on a cluster's clock, or in its rotation, for those signals to hold. */
    minCadenceShare: number;
    minClockShare: number;
    minRotationShare: number;
    /**
     * Who-signals that must agree, besides the text: origin, handsets,
     * networks, lockstep, regular timing, one cadence, a clock, turn-taking.
     * Two, so no one fact (a young crowd, one campus network, a lucky
     * regular) condemns a cohort.
     */
    minWhoSignals: number;
  };
  caps: {
    accountsListed: number;
    samples: number;
    accountFindingsPerStream: number;
  };
  severity: {
    high: number;
    medium: number;
  };
}

export const DEFAULT_SCRIPTED_COMMENTS_CONFIG: ScriptedCommentsConfig = {
  template: {
    minNormalisedChars: 6,
    hashes: 32,
    bands: 16,
    minSimilarity: 0.4,
    representatives: 4,
    newRepresentativeBelow: 0.7,
    clusterIdleTtlMs: 15 * 60_000,
    maxClustersPerStream: 5_000,
    maxAccountsPerCluster: 2_000,
    minAccounts: 5,
  },
  periodic: {
    minIntervals: 6,
    maxIntervalCv: 0.1,
    cohortMinIntervals: 3,
    cohortMaxIntervalCv: 0.25,
    rhythmMinIntervals: 5,
    minMeanIntervalMs: 2_000,
    loneAccountMaxMeanIntervalMs: 120_000,
    minTemplateRepeats: 3,
  },
  paceFloor: {
    quantile: 0.02,
    minIntervals: 300,
    cohortMinIntervals: 40,
    margin: 1.25,
  },
  clock: {
    postsKept: 48,
    minGaps: 8,
    minMedianGapMs: 2_000,
    gapTolerance: 0.35,
    minOnClockShare: 0.75,
  },
  rotation: {
    minLength: 3,
    minRounds: 2,
    minMatchShare: 0.75,
  },
  cadence: {
    maxPeriodRatio: 1.25,
    maxPhaseConcentration: 0.8,
  },
  sync: {
    bucketMs: 2_000,
    minPosts: 5,
    bucketsKept: 10,
    minSimilarity: 0.6,
    minAccounts: 5,
    maxAccountsPerWindow: 5_000,
  },
  cohort: {
    youngAccountMaxAgeMs: 7 * 86_400_000,
    minYoungShare: 0.6,
    coCreatedSpanMs: 7 * 86_400_000,
    minCoCreatedShare: 0.6,
    creationClumpSpanMs: 6 * 3_600_000,
    minSharedInfraShare: 0.5,
    subnetPeers: 3,
    tamperedModelPeers: 3,
    minEmulatorShare: 0.5,
    minTopModelShare: 0.8,
    fewModels: 3,
    minMembersWithModel: 8,
    minSyncShare: 0.5,
    minPeriodicShare: 0.5,
    minCadenceShare: 0.5,
    minClockShare: 0.5,
    minRotationShare: 0.5,
    minWhoSignals: 2,
  },
  caps: {
    accountsListed: 50,
    samples: 10,
    accountFindingsPerStream: 2_000,
  },
  severity: {
    high: 0.8,
    medium: 0.6,
  },
};
