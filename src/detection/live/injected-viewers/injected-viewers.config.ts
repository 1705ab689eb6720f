/**
 * Every number the injected-viewers detector decides with. Each comes from
 * what an honest room can and cannot produce, not from a test file.
 */
export interface InjectedViewersConfig {
  displayedInflation: {
    /**
     * Displayed count / present accounts. Honest counters lag joins and
     * leaves by seconds and some platforms count a few logged-out viewers,
     * which moves the ratio by tens of percent, not by 2.5×.
     */
    minRatio: number;
    /** Displayed − present: a tiny room showing 12 with 3 present is noise, not fraud. */
    minExcess: number;
    /** The gap must hold this long without a break: a counter catching up after a raid closes within seconds. */
    minSustainedMs: number;
    /** ...over at least this many count samples, so one stale sample cannot decide. */
    minSamples: number;
    /** The platform must have reported some joins for the room, else presence is unknown, not zero. */
    minJoinsSeen: number;
  };
  displayedSteps: {
    /** A rise of the displayed count smaller than this is ordinary churn. */
    minStep: number;
    /** Rises within this relative tolerance of each other are "the same step" (a bot panel adds a fixed batch). */
    stepTolerance: number;
    /** Share of a rise that present accounts may explain and it still counts as unexplained. */
    maxPresentRiseShare: number;
    /** Consecutive equal unexplained rises needed: two can be chance, four in a row of one size are a dial. */
    minSteps: number;
    /** Their timing must be steady too (coefficient of variation of the gaps); honest counters move with the crowd, not a timer. */
    maxIntervalCv: number;
    /** Unexplained rises remembered per stream (a ring): a dial's run is recent, and this bounds the analysis. */
    maxRisesKept: number;
  };
  joinSteps: {
    /** Joins are counted per bucket of this length. */
    bucketMs: number;
    /** A burst has at least this many joins: fewer arrive together by chance in any busy room... */
    minBurstJoins: number;
    /** ...in a bucket holding at least this many (a step split across a second boundary still counts)... */
    minHotBucketJoins: number;
    /** ...within at most this many consecutive buckets (longer is a surge, which honest rooms have)... */
    maxBurstBuckets: number;
    /** ...standing this many times above the bucket before and after it (an honest surge ramps; an injection is a cliff). */
    isolationRatio: number;
    /** "The bucket before" is the room's join rate smoothed over this many buckets; 1: a cliff is judged against the second just before it. */
    baselineBuckets: number;
    /** Bursts whose sizes lie within this relative tolerance of their median count as one step size. */
    sizeTolerance: number;
    /** Bursts this large count towards a step pattern; smaller ones only feed cohort groups (chance bursts of 8 happen in busy rooms). */
    minStepJoins: number;
    /** Consecutive equal bursts needed for a step pattern. */
    minBursts: number;
    /** Coefficient of variation of the gaps between those bursts; a timer gives ≈ 0, crowds give ≫ 0.3. */
    maxIntervalCv: number;
    /** Bursts remembered per stream (a ring), which bounds the analysis. */
    maxBurstsKept: number;
  };
  cohort: {
    /** A group smaller than this is not a campaign worth a finding (and small groups agree by chance); resold packages come in batches of 8 and up. */
    minSize: number;
    /** Members of a group evaluated at most (sampled first-come), bounding one micro-batch. */
    maxGroupSize: number;
    /** "Joined together": share of members that joined within ±half this span of at least `minBatchPeers` others. */
    togetherSpanMs: number;
    minTogetherShare: number;
    /** Members leaving within this span of each other left "as a batch" (a paid slot ending); people leave one by one. */
    departSpanMs: number;
    /**
     * "Left on a timer": `minTogetherShare` of the members left within this
     * span of `minBatchPeers` others (and of `batchDensityFactor` times the
     * group's average rate), at `minLeaveBatches` separate moments (more than
     * `departSpanMs` apart). Control software logs a paid slot's accounts out
     * within a second or two; people leaving after a draw, at a host's "see
     * you tomorrow" or as the stream ends spread over tens of seconds, and do
     * it a few times a stream at most. Ten seconds keeps the batch tight
     * enough that a timer whose every leave is batched still stands out from
     * its own average (the looser `departSpanMs` would not: slots of three
     * minutes put a third of the group's leaves in any minute).
     */
    timerLeaveSpanMs: number;
    /**
     * Separate batch moments needed. A stream's end is one; a lucky-bag
     * crowd leaves after each draw, and a long stream has a draw every 10–20
     * minutes, so up to four or five; a slot timer of a few minutes gives ten
     * or more an hour. Six: above the draws of a 90-minute stream, below
     * what slots under ten minutes give in one. (Long slots of 12–30 minutes
     * give too few: the other signals carry those.)
     */
    minLeaveBatches: number;
    /** Others needed in the window for a batch: below four, two friends arriving together would count. */
    minBatchPeers: number;
    /** ...and this many times the group's average density, so a big crowd arriving at random is not a batch. */
    batchDensityFactor: number;
    /** Floor of the span used for that average, so a group that arrived all at once still counts as batched. */
    batchBaselineSpanMs: number;
    /** "Never interact": at most this share of members commented or ordered (likes are tapped by control software too). Honest crowds always have a few talkers. */
    maxInteractingShare: number;
    /**
     * A group most of whose members like, comment or order is not padding the
     * audience: fake talkers are the scripted-comments detector's subject.
     * Above this share the group is not judged as injected viewers at all.
     */
    maxInteractingShareToJudge: number;
    /**
     * "Stay": a member counts as staying if it watched this long silently,
     * present or since gone (or left with its batch, or handed its seat to the
     * next account, see `handsets.handoverMs`). Real viewers drift away within minutes.
     */
    minStayMs: number;
    minStayedShare: number;
    /** Share of a group that must have been in the room `minStayMs` before any verdict on it (behaviour needs time to show). */
    minObservedShare: number;
    /** Account younger than this at its join is "young". A week covers a farm's fresh batch, not a platform's normal intake. */
    youngAccountMaxAgeMs: number;
    minYoungShare: number;
    /** Accounts created within this span of each other are "co-created": a bulk-registration batch takes hours to days; an honest crowd's sign-ups spread over years. */
    coCreatedSpanMs: number;
    minCoCreatedShare: number;
    /**
     * Share of members on shared device ids, or on crowded subnets, at which
     * the hardware, or the network, is "shared" (two families: see the
     * `sharedNetwork` signal for when the network counts apart).
     */
    minSharedInfraShare: number;
    /** Accounts in one /24 or /64 needed before the subnet counts as crowded. */
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
    /** Share of members on emulators or rooted phones. Honest mobile audiences have a few percent at most. */
    minEmulatorShare: number;
    /** Share of members on one device model; even the most popular phone is under a third of a crowd. */
    minTopModelShare: number;
    /** Members with a known model needed before model concentration counts. */
    minMembersWithModel: number;
    /**
     * Independent signal families (joined together, passive and staying,
     * young or co-created, shared hardware, shared networks, seen in other rooms) that
     * must agree. Honest crowds show one or two: a viral surge joins
     * together and lurks; a campus shares a subnet; a promo brings new accounts.
     */
    minSignals: number;
    /**
     * ...of which at least this many are ties (shared infrastructure, a rare
     * shared identity, the same accounts in other rooms, lockstep taps).
     * Arriving together, lurking and being new are what a growth campaign's
     * real viewers show; only a tie binds accounts to one operator.
     */
    minTieSignals: number;
    /**
     * Shared infrastructure is a tie only through hardware: at least this
     * share of members on handsets other members also use, or on emulators
     * or rooted phones (or one model). Offices, campuses and carrier NAT share a
     * network; strangers do not share phones. A quarter, because a farm's
     * accounts are often diluted by honest viewers who joined in the same span.
     */
    minHardwareTieShare: number;
    /** Families needed for the accounts of equal, regular join bursts: the timer is itself the tie, so one more family names them. */
    minSignalsWithJoinSteps: number;
    /** A group one signal short of a verdict is looked at again this often (event time) as its members stay or leave. */
    recheckMs: number;
  };
  /**
   * Rare shared identity: a device model far more common among the accounts
   * created on one day than in the rest of the room. A farm is bought in
   * bulk (registered in one sitting on one or two handset models) whenever
   * its accounts join; accounts honestly created on one day carry the room's
   * usual mix of phones.
   */
  identity: {
    /** Creation times are compared by day: a bulk registration takes hours, and a day boundary splits it in two at most. */
    createdBucketMs: number;
    /** Accounts of one model created on one day needed at all: a household's two or three accounts on one tablet are not a farm. */
    minPairAccounts: number;
    /** Observed / expected accounts of that model on that day: honest day cohorts sit near 1; a margin for sampling noise in small days. */
    rarityFactor: number;
    /** Accounts outside the day (with a model) needed to know the room's phone mix; below it `priorModelShare` stands in. */
    minRestAccounts: number;
    /** Share of a model assumed when the rest of the room is too small to say: the most popular phone is under a third of a crowd. */
    priorModelShare: number;
    /** Floor of a model's share in the rest of the room: a model nobody else in a small room uses is still a phone someone can own (1–2 % each past the top few). */
    minModelShare: number;
    /** Share of a group on rare identities for the signal. */
    minGroupShare: number;
  };
  /**
   * Tampered builds: a room's emulated and rooted phones grouped by the OS
   * they run (a farm's image is one OS on every seat, whatever model each
   * login reports). Such a group is tampered by construction, so it counts as
   * shared hardware only when its build's tampered share stands out from the
   * rest of the room's: honest audiences carry a few percent rooted on every
   * OS, and their most common OS holds the most rooted phones only because it
   * holds the most people.
   */
  tamperedBuilds: {
    /**
     * Tampered share on the build / tampered share on the other builds.
     * Honest builds sit near 1: even a small build of 50 accounts at a 5 %
     * rooted rate reaches 3× (the 8 tampered members a verdict needs) by
     * chance well under once in a thousand. A farm's image is most of its own
     * build (0.6–1 against 0.02–0.05: 10× and more), and still 3× when as
     * many honest viewers run the same OS.
     */
    excessFactor: number;
    /** Floor of the rest's tampered share: a room whose other phones show no root at all still has a percent or two it did not detect. */
    minTamperedShare: number;
    /** Accounts on other builds needed to know the room's tampered share; below it `priorTamperedShare` stands in. */
    minRestAccounts: number;
    /** Tampered share assumed when the rest of the room is too small to say (the high end of honest audiences). */
    priorTamperedShare: number;
  };
  lockstepLikes: {
    /** Likes are counted per bucket of this length (distinct accounts per bucket). */
    bucketMs: number;
    /** A bucket is hot with at least this many accounts liking... */
    minHotBucketAccounts: number;
    /** ...and this many times the room's own like rate before the run and in the bucket after it (software fires a cliff; a crowd ramps). */
    isolationRatio: number;
    /**
     * ...and a burst spans at most this many buckets. Viewers of one stream
     * receive it with several seconds of latency between them and react over
     * seconds more, so a spoken cue spreads over far longer than three
     * seconds; control software taps every phone within one or two (which
     * can straddle three 1-s buckets).
     */
    maxBurstBuckets: number;
    /** A burst has at least this many distinct accounts: a handful liking in one second happens in any busy room. */
    minBurstAccounts: number;
    /** Buckets over which the room's like rate is smoothed (about half a minute: a host's segment, not the whole stream). */
    rateHorizonBuckets: number;
    /**
     * Bursts one account must take part in: once is a chance or a cue; the
     * same account inside the same one-second cliff again and again is a
     * script driving it.
     */
    minBurstsPerAccount: number;
    /**
     * ...and at least this share of the account's own like events fell in
     * such bursts. Control software taps only when it fires every phone; a
     * keen viewer who happened to tap in a farm's second also taps on their
     * own the rest of the stream.
     */
    minShareOfOwnLikes: number;
    /** Share of a group tapping in lockstep for the signal (the group must also be otherwise silent, see `cohort.maxInteractingShare`). */
    minGroupShare: number;
  };
  crossRoom: {
    /** Groups showing at least this many signals are recorded in the cross-room directory. */
    minSignalsToRecord: number;
    /**
     * A recorded group is recorded again once its named accounts grew by
     * this factor: a farm's room fills over an hour, and a sighting of its
     * first ten accounts cannot show that the next hundred are the ones
     * another room had. 1.5 keeps the sightings per group logarithmic in its size.
     */
    regrowthFactor: number;
    /**
     * An earlier sighting in another room counts only if the accounts it
     * shares with this one are at least this share of this one: a farm
     * returns whole, while the regulars of a big audience who also watch
     * another room are a few of any group they fall in. Half, because a
     * farm works each room with a part of its pool (60-90 % each time).
     */
    minReturningShare: number;
  };
  /**
   * Accounts per handset over the stream. One app on one phone runs one
   * account at a time, and a family tablet passes between two or three
   * people; a farm's phone runs several accounts at once (app cloners,
   * multi-instance builds), and a rented cloud-phone seat logs in account
   * after account for the whole stream.
   */
  handsets: {
    /** Accounts watching at once on one device id that make it a farm handset. */
    minConcurrentAccounts: number;
    /** Accounts one device id carries over one stream, one after another, that make it a farm handset (a seat). */
    minSeatAccounts: number;
    /**
     * A seat is "handed over" when the next account logs in on it within
     * this long of the last one leaving (or opens before it leaves): control
     * software logs out, switches accounts and finds the room again within
     * seconds, or waits minutes in the vendor's queue for the next account,
     * on its own schedule, which begins and ends both slots as a batch's are
     * (see `cohort.minStayMs`). Ten minutes: a seat idle longer is between
     * jobs. The gap is not what keeps people out: a household passes its
     * tablet on as fast, but carries two or three accounts on it, never a
     * seat's `minSeatAccounts` (only seats are looked at).
     */
    handoverMs: number;
    /**
     * A device id with more accounts than this watching at once is not one
     * handset but a broken or placeholder id (all-zero advertising ids, a
     * firmware that reports one id on every unit): it links strangers, so it
     * links nothing. An app cloner runs a handful of instances on one phone.
     * (So does a device id whose accounts report different models: one
     * handset is one model.) How many accounts a handset carries one after
     * another is no such sign: a cloud-phone seat logs in hundreds.
     */
    maxConcurrentAccounts: number;
    /**
     * A device id whose accounts report different models is still one
     * handset while it never carries more than this many at once: a
     * cloud-phone seat's "new device" button changes the model it reports at
     * every login, one account at a time, while a placeholder id shared by
     * strangers' phones has them on it together as soon as the room is busy.
     */
    maxConcurrentWithMixedModels: number;
    /** Distinct farm handsets a group's members must use for the signal: a household has one tablet, a farm runs a pool. */
    minHandsets: number;
    /** Share of a group on farm handsets for the signal. */
    minGroupShare: number;
  };
  deviceLink: {
    /**
     * Accounts on the same device id as a named core account inherit its
     * verdict when their own behaviour agrees (silent, watched
     * `cohort.minStayMs`), on device ids that are one handset (see
     * `handsets.maxConcurrentAccounts`).
     */
    enabled: boolean;
  };
  caps: {
    /** Accounts listed in a room finding (the total is in the evidence). */
    accountsListed: number;
    /** Samples (bursts, subnets, devices, groups) listed in evidence. */
    samples: number;
    /** Account findings per stream, bounding the output of one huge farm. */
    accountFindingsPerStream: number;
  };
  severity: {
    /** Score at or above which a finding is high / medium severity. */
    high: number;
    medium: number;
  };
}

export const DEFAULT_INJECTED_VIEWERS_CONFIG: InjectedViewersConfig = {
  displayedInflation: {
    minRatio: 2.5,
    minExcess: 100,
    minSustainedMs: 120_000,
    minSamples: 4,
    minJoinsSeen: 1,
  },
  displayedSteps: {
    minStep: 100,
    stepTolerance: 0.05,
    maxPresentRiseShare: 0.3,
    minSteps: 4,
    maxIntervalCv: 0.25,
    maxRisesKept: 32,
  },
  joinSteps: {
    bucketMs: 1_000,
    minBurstJoins: 8,
    minHotBucketJoins: 4,
    maxBurstBuckets: 3,
    isolationRatio: 4,
    baselineBuckets: 1,
    sizeTolerance: 0.1,
    minStepJoins: 15,
    minBursts: 3,
    maxIntervalCv: 0.15,
    maxBurstsKept: 64,
  },
  cohort: {
    minSize: 8,
    maxGroupSize: 5_000,
    togetherSpanMs: 30_000,
    minTogetherShare: 0.6,
    departSpanMs: 60_000,
    timerLeaveSpanMs: 10_000,
    minLeaveBatches: 6,
    minBatchPeers: 4,
    batchDensityFactor: 4,
    batchBaselineSpanMs: 15 * 60_000,
    maxInteractingShare: 0.05,
    maxInteractingShareToJudge: 0.5,
    minStayMs: 5 * 60_000,
    minStayedShare: 0.8,
    minObservedShare: 0.8,
    youngAccountMaxAgeMs: 7 * 86_400_000,
    minYoungShare: 0.7,
    coCreatedSpanMs: 7 * 86_400_000,
    minCoCreatedShare: 0.6,
    minSharedInfraShare: 0.5,
    subnetPeers: 3,
    tamperedModelPeers: 3,
    minEmulatorShare: 0.5,
    minTopModelShare: 0.8,
    minMembersWithModel: 10,
    minSignals: 3,
    minTieSignals: 1,
    minHardwareTieShare: 0.25,
    minSignalsWithJoinSteps: 2,
    recheckMs: 5 * 60_000,
  },
  identity: {
    createdBucketMs: 86_400_000,
    minPairAccounts: 5,
    rarityFactor: 4,
    minRestAccounts: 40,
    priorModelShare: 0.3,
    minModelShare: 0.02,
    minGroupShare: 0.6,
  },
  tamperedBuilds: {
    excessFactor: 3,
    minTamperedShare: 0.02,
    minRestAccounts: 40,
    priorTamperedShare: 0.05,
  },
  lockstepLikes: {
    bucketMs: 1_000,
    minHotBucketAccounts: 4,
    isolationRatio: 4,
    maxBurstBuckets: 3,
    minBurstAccounts: 8,
    rateHorizonBuckets: 30,
    minBurstsPerAccount: 3,
    minShareOfOwnLikes: 0.5,
    minGroupShare: 0.6,
  },
  crossRoom: {
    minSignalsToRecord: 2,
    regrowthFactor: 1.5,
    minReturningShare: 0.5,
  },
  handsets: {
    minConcurrentAccounts: 2,
    minSeatAccounts: 4,
    handoverMs: 10 * 60_000,
    maxConcurrentAccounts: 10,
    maxConcurrentWithMixedModels: 1,
    minHandsets: 3,
    minGroupShare: 0.5,
  },
  deviceLink: {
    enabled: true,
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
