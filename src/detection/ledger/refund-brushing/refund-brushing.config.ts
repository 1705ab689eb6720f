/**
 * Every number the refund-brushing detector decides with, and why. The
 * pattern: an order placed and paid while the stream runs (it counts in the
 * stream's sales and rankings) and refunded soon after the stream ends
 * (before anything ships), by accounts that one person or one merchant
 * controls. Each indication below also happens in honest rooms, so an
 * account is caught only when the timing comes with at least one
 * independent indication, and the combined score passes the bar.
 */
export interface RefundBrushingConfig {
  timing: {
    /**
     * A refund that starts within this long after the stream's end refunds
     * before a parcel can arrive and be judged: hired brushers refund within
     * hours, merchant teams within a day or so. Honest returns mostly follow
     * delivery (days); honest quick cancellations happen too, which is why
     * timing never decides alone.
     */
    postEndWindowMs: number;
    /** Inside this shorter window the refund is all but certainly before shipping: a stronger indication. */
    fastPostEndWindowMs: number;
    /**
     * A studio that waits for its empty parcel to "arrive" refunds days
     * later, when honest returns come too. Refunds up to this long after the
     * end still count, weighing little (lateScore): only a strong tie (a
     * ring of an operator's phones and SIMs) convicts them.
     */
    latePostEndWindowMs: number;
    /**
     * An order counts as refunded when refunds cover this share of what was
     * paid. Brushers on a kickback keep a commission (a tenth to a third) and
     * are refunded the rest; an honest buyer returning one piece of two gets
     * half back, which stays below.
     */
    minRefundedShare: number;
    /**
     * ...or this share, when what was refunded is not a whole number of the
     * order's pieces: most of the money back and a commission kept (organisers
     * keep up to about half on cheap tasks). Honest partial refunds return
     * whole pieces (one of two is exactly half, and stays with
     * `minRefundedShare`) or a small price difference, far below half.
     */
    minKickbackRefundedShare: number;
    /**
     * ...except a compensation: part of the price back on perishable goods
     * the platform says stayed with the buyer (`returned: false`). A spoiled
     * share of a box of fruit or seafood is settled that way, by the shop's
     * fixed share or case by case, the same evening when it delivers within
     * the city; brushing's rule that honest partial refunds are whole pieces
     * does not hold there, so such a refund is neither a commission kept nor
     * a refund in the pattern unless it reaches `minRefundedShare`. Such a
     * refund after the stream, whole or most of the box, is spoilage found
     * on delivery: honest as often as a return days later, and it weighs
     * like one (`late_post_end`, lateScore), whenever it came. An office
     * whose fruit spoiled on a hot day shares one address, as a crew would
     * (main simulator seeds 2 and 3: four colleagues reported). A crew
     * brushing a food shop is still judged by its operator's phones, SIMs
     * and devices across rooms. Categories are matched as lower-case
     * substrings of `order.placed.category` (platforms name them their own
     * way).
     */
    compensationCategories: readonly string[];
    /**
     * Orders paid below this (minor units) are never brushing: a 1-fen
     * lucky-bag entry or a free gift adds nothing to a room's sales, and
     * platforms refund losing entrants in one batch after the draw.
     */
    minOrderPaid: number;
    /** Payments this long before the recorded start count as during the stream (clock skew between services). */
    startGraceMs: number;
    /**
     * An order placed during the stream and paid this soon after its end
     * still counts as bought in the stream (checkout of the last minute).
     */
    paymentGraceMs: number;
    /**
     * A stream whose stream.ended never came is taken to have ended at its
     * last live event once a refund or claim arrives this long after it: a
     * room silent for half an hour is over, and its refunds are "after".
     */
    inferredEndAfterMs: number;
    /**
     * An account is a timing candidate when this share of its paid money in
     * the stream was refunded in the pattern; brushers keep almost nothing,
     * a real buyer who cancels one of three orders keeps most.
     */
    minPatternShare: number;
    /** Score of the timing indication: a refund in the fast window, in the wider one, days later, or while the stream still runs. */
    fastScore: number;
    windowScore: number;
    lateScore: number;
    /** Paid and fully refunded during the stream: honest mis-taps do this too, so it weighs little. */
    inStreamScore: number;
  };
  ring: {
    /**
     * Candidates linked by a shared device, phone hash, shipping address or
     * exact IP form a group; a group needs this many accounts. One household
     * (two or three family accounts behind one router) stays below it, and it
     * would also need every member to refund right after the stream.
     */
    minGroupSize: number;
    /** Score of a group of minGroupSize linked by a device, phone or address (one person or one office). */
    baseScore: number;
    /** Added per member beyond minGroupSize, up to maxScore. */
    perExtraMemberScore: number;
    maxScore: number;
    /**
     * A group linked only by exact IPs is weaker: carrier-grade NAT puts
     * thousands of strangers behind one address, and when a merchant
     * cancels a whole oversold flash sale after the stream every buyer is a
     * candidate, so NAT neighbours link. Its score is multiplied by this,
     * which keeps it (≤ 0.29) below what timing needs to reach the bar.
     */
    ipOnlyFactor: number;
    /**
     * Candidates in one /24 (or /64) without a shared identifier: a rented
     * block or an office. Needs more accounts than a ring, for the same
     * carrier-NAT reason, and weighs less.
     */
    minSubnetGroupSize: number;
    subnetScore: number;
    /**
     * An identifier links candidates only if at least this share of the
     * stream's accounts using it are candidates. A carrier-NAT address or
     * /24 carries many honest buyers, of whom a few cancel after any stream;
     * a brusher's phone, address or home line carries almost only brushers.
     * Across rooms the same share is asked of everyone who used the
     * identifier over the history horizon: a parcel locker the whole
     * neighbourhood ships to links no one, a studio's SIM does.
     */
    minCandidateShare: number;
    /**
     * Across rooms (an operator's phones, SIMs and pick-up addresses seen
     * in other streams over the history horizon), a ring needs more
     * accounts than a family has: a household of four that returns things
     * over a month is still one household.
     */
    minOperatorAccounts: number;
    /**
     * Across rooms an address links only when this share of everyone who
     * shipped to it did the pattern: a parcel locker, a campus or an
     * office address carries whole neighbourhoods, and how many of them the
     * ledger has seen so far depends on how far the evening has come (a
     * locker that ten orders used by ten o'clock links strangers at half).
     * A studio's own flat carries its accounts only; a SIM or a phone is
     * one person's whatever the hour.
     */
    minAddressShareAcrossRooms: number;
  };
  flashGrab: {
    /**
     * A merchant's team takes the flash price like every buyer, so paying
     * list price says nothing; what it cannot hide is being first: in at
     * the opening second of every sale, before a viewer can react. A sale
     * is a SKU's orders at this discount off list or more.
     */
    minDiscount: number;
    /** Orders a sale needs before its first seconds can be told from the rest. */
    minSaleOrders: number;
    /**
     * The opening: the longest run of the sale's first orders of which at
     * least openingPatternShare were refunded in the pattern, holding at
     * least minOpeningPatternOrders of them (three accounts in before the
     * crowd are a team, one is a quick finger) and at most maxOpeningShare
     * of the sale (a sale refunded throughout has no opening, it was
     * cancelled).
     */
    openingPatternShare: number;
    minOpeningPatternOrders: number;
    maxOpeningShare: number;
    /**
     * The later buyers must mostly have kept theirs (at most this share of
     * them refunded in the pattern): a merchant who cancels a whole sale, or
     * its oversold tail, refunds buyers whoever they are; only a team's
     * opening orders are refunded while the crowd's stand.
     */
    maxLaterPatternShare: number;
    /** Orders of one SKU at one price this far apart belong to two rounds of the sale. */
    roundGapMs: number;
    /** Score by sales whose opening the account took and had refunded. */
    scoreBySales: ReadonlyArray<readonly [sales: number, score: number]>;
    /**
     * When the crowd is as quick as the team, the team still shows: the same
     * accounts refunded in minTeamSales or more of the stream's sales (whose
     * crowd kept theirs, refunds each at its own time: a merchant cancelling
     * an oversold tail does it in one sitting), minTeamAccounts of them. An
     * honest buyer is in the refunded few of two sales by chance, three of
     * them hardly ever.
     */
    minTeamSales: number;
    minTeamAccounts: number;
    teamScore: number;
  };
  kickback: {
    /**
     * A partial refund that is not a whole number of units (a commission
     * kept, not a piece sent back), refunded in the pattern. Honest partial
     * refunds return whole pieces, or a small price-protection difference.
     */
    oddShareScore: number;
    /**
     * Accounts whose refunds left them the same share (within this many
     * points of each other) follow one organiser's commission rule...
     */
    sameShareTolerance: number;
    /** ...or the same amount per order (within this many minor units): a fixed fee per task, five or ten yuan. */
    sameAmountTolerance: number;
    /** ...when at least this many candidates do; the score grows with the crew like a ring's. */
    minGroupSize: number;
    groupScore: number;
    perExtraMemberScore: number;
    maxGroupScore: number;
    /**
     * Without a common rule (commissions agreed one by one), several such
     * refunds in one stream still point to one scheme: honest partial
     * refunds return whole pieces or a small difference. From this many
     * candidates, each weighs this much.
     */
    minOddGroupSize: number;
    oddGroupScore: number;
  };
  crossRoom: {
    /** History looked at: this long before the stream's start (event time). */
    historyMs: number;
    /** Other streams in which the account showed the same pattern: a score per count of distinct rooms. */
    scoreByRooms: ReadonlyArray<readonly [rooms: number, score: number]>;
    /** Added when those rooms belong to more than one merchant (a hired brusher, not one shop's staff). */
    manyMerchantsBonus: number;
    /**
     * How far the history reaches along shared identifiers: the candidates'
     * devices, phones and addresses (hop 1), then those of the orders found
     * (hop 2). An operator's accounts share a SIM with one and a phone with
     * another, never all with everyone; two hops collect a studio.
     */
    identifierHops: number;
  };
  overpay: {
    /**
     * Paying list price for a SKU that the rest of the stream bought at
     * least this much below list: organic buyers take the live discount,
     * a team propping up the hero item's numbers does not bother.
     */
    minPeerDiscount: number;
    /** Orders of that SKU by other accounts needed to know its live price. */
    minPeerOrders: number;
    score: number;
  };
  repeat: {
    /**
     * Separate orders of one account in the stream, each refunded in the
     * pattern: a brusher on a quota, a merchant's staff grabbing every flash
     * sale and the hero item. An honest buyer returning everything within
     * two days of the stream, order after order, is rare; still only one
     * indication among others.
     */
    minPatternOrders: number;
    score: number;
  };
  wave: {
    /**
     * Buyers of one SKU refunded after the stream (within the two-day
     * window), at least this many of them...
     */
    minAccounts: number;
    /**
     * ...and this share of its buyers. Honest rooms refund a few per cent
     * of a SKU's orders that soon (mis-taps, second thoughts); a task handed
     * to hired buyers makes them a third or more.
     */
    minShareOfBuyers: number;
    /**
     * Their refunds spread over at least this long: each worker refunds on
     * their own, while a merchant cancelling an oversold sale or a bad
     * batch refunds everyone in one sitting (not brushing).
     */
    minRefundSpreadMs: number;
    score: number;
    /**
     * Stronger when the wave carries accounts another indication already
     * backs (a ring, other rooms, a kickback...): the same task, the rest of
     * its workers.
     */
    minBackedAccounts: number;
    withFlaggedScore: number;
  };
  /** An account is flagged at or above this combined score (noisy-OR of its indications). */
  accountThreshold: number;
  /** Indications besides timing needed (timing is always required): at least one independent one. */
  minSupportingSignals: number;
  room: {
    /** Flagged accounts for a room finding... */
    minAccounts: number;
    /** ...or one flagged account whose brushed money is at least this share of the stream's paid money. */
    minBrushedShare: number;
  };
  severity: { high: number; medium: number };
  /** Bounds the evidence: samples per finding. */
  maxSamples: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const DEFAULT_REFUND_BRUSHING_CONFIG: RefundBrushingConfig = {
  timing: {
    postEndWindowMs: 2 * DAY,
    fastPostEndWindowMs: 12 * HOUR,
    latePostEndWindowMs: 7 * DAY,
    minRefundedShare: 0.6,
    minKickbackRefundedShare: 0.5,
    compensationCategories: ['fresh', 'food', 'fruit', 'vegetable', 'produce', 'grocery', 'seafood', 'meat', 'dairy', 'bakery', 'flower', '生鲜', '水果', '蔬菜', '海鲜', '肉', '乳', '烘焙', '鲜花', '食品'],
    minOrderPaid: 100,
    startGraceMs: 2 * MINUTE,
    paymentGraceMs: 10 * MINUTE,
    inferredEndAfterMs: 30 * MINUTE,
    minPatternShare: 0.6,
    fastScore: 0.35,
    windowScore: 0.28,
    lateScore: 0.1,
    inStreamScore: 0.15,
  },
  ring: {
    minGroupSize: 3,
    baseScore: 0.45,
    perExtraMemberScore: 0.04,
    maxScore: 0.65,
    ipOnlyFactor: 0.45,
    minSubnetGroupSize: 4,
    subnetScore: 0.25,
    minCandidateShare: 0.5,
    minOperatorAccounts: 5,
    minAddressShareAcrossRooms: 0.8,
  },
  flashGrab: {
    minDiscount: 0.5,
    minSaleOrders: 8,
    openingPatternShare: 0.6,
    minOpeningPatternOrders: 3,
    maxOpeningShare: 0.6,
    maxLaterPatternShare: 0.3,
    roundGapMs: 10 * MINUTE,
    scoreBySales: [
      [1, 0.3],
      [2, 0.45],
    ],
    minTeamSales: 2,
    minTeamAccounts: 3,
    teamScore: 0.4,
  },
  kickback: {
    oddShareScore: 0.15,
    sameShareTolerance: 0.01,
    sameAmountTolerance: 100,
    minGroupSize: 3,
    groupScore: 0.4,
    perExtraMemberScore: 0.03,
    maxGroupScore: 0.55,
    minOddGroupSize: 4,
    oddGroupScore: 0.4,
  },
  crossRoom: {
    historyMs: 30 * DAY,
    scoreByRooms: [
      [1, 0.3],
      [2, 0.45],
      [4, 0.6],
    ],
    manyMerchantsBonus: 0.1,
    identifierHops: 2,
  },
  overpay: {
    minPeerDiscount: 0.05,
    minPeerOrders: 3,
    score: 0.3,
  },
  repeat: {
    minPatternOrders: 3,
    score: 0.25,
  },
  wave: {
    minAccounts: 4,
    minShareOfBuyers: 0.3,
    minRefundSpreadMs: 30 * MINUTE,
    score: 0.3,
    minBackedAccounts: 2,
    withFlaggedScore: 0.45,
  },
  accountThreshold: 0.6,
  minSupportingSignals: 1,
  room: {
    minAccounts: 2,
    minBrushedShare: 0.2,
  },
  severity: { high: 0.8, medium: 0.6 },
  maxSamples: 10,
};
