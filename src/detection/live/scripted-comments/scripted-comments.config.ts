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
    /** MinHash slots; bands × rows. 16 = 4 bands of 4 finds 0.8-similar texts with p ≈ 0.87 and 0.3-similar ones with p ≈ 0.03. */
    hashes: number;
    bands: number;
    /** Estimated n-gram Jaccard similarity with a cluster's first text needed to join it: slot words and numbers keep a template above 0.5. */
    minSimilarity: number;
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
    /** Intervals needed before an account's rhythm is judged: fewer make chance regularity likely. */
    minIntervals: number;
    /** Coefficient of variation of intervals. Human chat is bursty (CV ≳ 0.5); timers give ≲ 0.05; 0.1 leaves room for jittered timers. */
    maxIntervalCv: number;
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
    /** A lone account whose mean interval is within this factor of the floor is posting at the limit: its regularity says nothing. */
    margin: number;
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
     * Share of a cohort on device ids another member also uses (several
     * accounts on one handset), and, as a separate signal, share on crowded
     * subnets, emulators or one model. Households share a phone among two or
     * three people, not half of a chatting cohort; a campus shares a network,
     * not handsets: the two are different physical facts.
     */
    minSharedInfraShare: number;
    subnetPeers: number;
    minEmulatorShare: number;
    /** Model concentration: even the most popular phone is well under half of an honest crowd. */
    minTopModelShare: number;
    minMembersWithModel: number;
    /** Share of a cohort posting in lockstep / at machine-regular intervals for that signal to hold. */
    minSyncShare: number;
    minPeriodicShare: number;
    /** Who-signals (origin, infrastructure, lockstep timing, regular timing) that must agree, besides the text. */
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
    hashes: 16,
    bands: 4,
    minSimilarity: 0.5,
    clusterIdleTtlMs: 15 * 60_000,
    maxClustersPerStream: 5_000,
    maxAccountsPerCluster: 2_000,
    minAccounts: 5,
  },
  periodic: {
    minIntervals: 6,
    maxIntervalCv: 0.1,
    minMeanIntervalMs: 2_000,
    loneAccountMaxMeanIntervalMs: 120_000,
    minTemplateRepeats: 3,
  },
  paceFloor: {
    quantile: 0.02,
    minIntervals: 300,
    margin: 1.25,
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
    minSharedInfraShare: 0.5,
    subnetPeers: 3,
    minEmulatorShare: 0.5,
    minTopModelShare: 0.8,
    minMembersWithModel: 8,
    minSyncShare: 0.5,
    minPeriodicShare: 0.5,
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
