import type { RoomEvent } from '../../../events/event.schema.js';
import type { Detector, StreamView, WindowBounds } from '../../engine/detector.js';
import {
  describeIdentity,
  measureCohortIdentity,
  memberIsYoungOrCoCreated,
  memberSharesInfrastructure,
  round,
} from '../../shared/cohort-identity.js';
import { mix32 } from '../../shared/hashing.js';
import { codePointLength, normaliseComment, signatureSimilarity, textSignature } from '../../shared/text-fingerprint.js';
import type { ViewerProfile } from '../../shared/viewer-profile.js';
import { boardOf } from '../../shared/stream-board.js';
import { judgeCohort, type CohortSignalRule } from '../../shared/cohort-signals.js';
import type { CohortIdentity } from '../../shared/cohort-identity.js';
import type { ScriptedCommentsConfig } from './scripted-comments.config.js';
import { cadenceOf, clockOf, rotationOf, type Cadence } from './comment-timing.js';
import { creationClumps, modelSpread, type ModelSpread } from './comment-identity.js';
import {
  buildCommentAccountFinding,
  buildCommentRoomFinding,
  type CommentCohortVerdict,
  type CohortKind,
  type LoneSignal,
  type WhoSignal,
  type CommenterTiming,
} from './scripted-comments.evidence.js';

/** Per commenting account: O(1) timing moments and a short list of post buckets. */
export interface CommenterState extends CommenterTiming {
  lastTs: number;
  /** Distinct sync buckets of recent posts, oldest first. */
  buckets: number[];
  /** Strictly regular (`periodic.minIntervals`, `maxIntervalCv`): enough to judge the account alone with a second signal. */
  periodic: boolean;
  /** Loosely regular (`cohortMinIntervals`, `cohortMaxIntervalCv`): counts inside a cohort something else binds. */
  regular: boolean;
  synced: boolean;
  activeInWindow: boolean;
}

export interface TemplateCluster {
  id: number;
  /** The first text's signature and a few differing fills' (see `template.representatives`). */
  representatives: Uint32Array[];
  bandKeys: number[];
  template: string;
  firstAt: number;
  lastAt: number;
  posts: number;
  accounts: Map<string, number>;
  accountsBeyondCap: number;
  samples: string[];
  touched: boolean;
  /** The last `clock.postsKept` posts (times ascending, posters alike), for the clock and turn-taking. */
  recentTimes: number[];
  recentPosters: string[];
  /** Accounts that posted on the cluster's clock, or took their turn in its rotation, while it had one. */
  onClock: Set<string>;
  inRotation: Set<string>;
  clockGapMs: number | null;
  rotationLength: number | null;
  /** Accounts, posts and timed accounts at the last assessment: a cluster is re-judged when it has grown, keeping the micro-batch bounded. */
  assessedAccounts: number;
  assessedPosts: number;
  assessedTimed: number;
  verdict: CommentCohortVerdict | undefined;
}

export interface ScriptedCommentsState {
  commenters: Map<string, CommenterState>;
  clusters: Map<number, TemplateCluster>;
  buckets: Map<number, TemplateCluster>;
  nextClusterId: number;
  /** Clusters posted to in the current window. */
  touched: TemplateCluster[];
  active: string[];
  /** Verdicts of flagged cohorts by cohort key, kept after their cluster expires. */
  flagged: Map<string, CommentCohortVerdict>;
  flaggedAccounts: Map<string, string[]>;
  reportedAccounts: Set<string>;
  /** Strictly periodic accounts (the lone-account check), and loosely regular ones with `rhythmMinIntervals` (the rhythm cohort). */
  periodicAccounts: Set<string>;
  rhythmAccounts: Set<string>;
  rhythmChanged: boolean;
  /** Accounts whose timing flags (periodic, lockstep) changed this window: clusters holding them need a fresh look. */
  timingChanged: string[];
  /** Every account's intervals between posts, on a log scale (see `paceFloor`): the room's fastest pace. */
  intervalHistogram: Uint32Array;
  intervalsSeen: number;
}

/** Interval histogram: buckets of a quarter octave from 250 ms (bucket 0 holds anything faster), 64 of them (up to ~15 h). */
const INTERVAL_BASE_MS = 250;
const BUCKETS_PER_OCTAVE = 4;
const INTERVAL_BUCKETS = 64;

function intervalBucket(ms: number): number {
  if (ms <= INTERVAL_BASE_MS) return 0;
  return Math.min(INTERVAL_BUCKETS - 1, Math.floor(Math.log2(ms / INTERVAL_BASE_MS) * BUCKETS_PER_OCTAVE));
}

function bucketUpperMs(bucket: number): number {
  return INTERVAL_BASE_MS * 2 ** ((bucket + 1) / BUCKETS_PER_OCTAVE);
}

export class ScriptedCommentsDetector implements Detector<ScriptedCommentsState> {
  readonly name = 'scripted-comments';
  private readonly rowsPerBand: number;

  constructor(private readonly config: ScriptedCommentsConfig) {
    this.rowsPerBand = Math.max(1, Math.floor(config.template.hashes / config.template.bands));
  }

  /** Who posts: each signal a group test and a member test (see `judgeCohort`); text likeness is not among them. */
  private readonly whoTable: readonly CohortSignalRule<WhoSignal, CommentCohortContext>[] = [
    {
      signal: 'youngOrCoCreated',
      tie: () => false,
      group: (c) =>
        c.identity.withCreationTime >= c.n / 2 &&
        (c.identity.youngShare >= this.config.cohort.minYoungShare ||
          c.identity.coCreatedShare >= this.config.cohort.minCoCreatedShare ||
          c.clumped.size / c.identity.withCreationTime >= this.config.cohort.minCoCreatedShare),
      member: (c, i) => {
        const profile = c.profiles[i];
        return (
          profile !== undefined &&
          (memberIsYoungOrCoCreated(profile, c.identity, this.config.cohort.youngAccountMaxAgeMs) || c.clumped.has(profile.accountId))
        );
      },
    },
    {
      signal: 'sharedDevices',
      tie: () => true,
      group: (c) => c.identity.sharedDeviceShare >= this.config.cohort.minSharedInfraShare,
      member: (c, i) => {
        const deviceId = c.profiles[i]?.deviceId;
        return deviceId !== undefined && c.identity.sharedDeviceIds.has(deviceId);
      },
    },
    {
      signal: 'sharedInfrastructure',
      tie: () => true,
      group: (c) =>
        c.identity.sharedSubnetShare >= this.config.cohort.minSharedInfraShare ||
        c.identity.emulatorShare >= this.config.cohort.minEmulatorShare ||
        c.modelConcentrated ||
        c.fewModels,
      member: (c, i) => {
        const profile = c.profiles[i];
        if (profile === undefined) return false;
        if (memberSharesInfrastructure(profile, c.identity, c.modelConcentrated)) return true;
        return c.fewModels && profile.model !== undefined && c.models.topModels.has(profile.model);
      },
    },
    {
      signal: 'lockstepTiming',
      tie: () => true,
      group: (c) => c.syncedShare >= this.config.cohort.minSyncShare,
      member: (c, i) => c.commenters[i]?.synced === true,
    },
    {
      signal: 'regularTiming',
      tie: () => true,
      group: (c) => c.regularShare >= this.config.cohort.minPeriodicShare,
      member: (c, i) => c.regular[i],
    },
    {
      signal: 'sharedCadence',
      tie: () => true,
      group: (c) => c.cadence !== undefined && c.cadence.members.length >= this.config.template.minAccounts && c.cadence.members.length / c.n >= this.config.cohort.minCadenceShare,
      member: (c, i) => c.cadenceMembers.has(c.accountIds[i]),
    },
    {
      signal: 'clockedPosts',
      tie: () => true,
      group: (c) => c.cluster !== undefined && c.cluster.onClock.size >= this.config.template.minAccounts && c.cluster.onClock.size / c.n >= this.config.cohort.minClockShare,
      member: (c, i) => c.cluster?.onClock.has(c.accountIds[i]) === true,
    },
    {
      signal: 'turnTaking',
      tie: () => true,
      group: (c) =>
        c.cluster !== undefined && c.cluster.inRotation.size >= this.config.template.minAccounts && c.cluster.inRotation.size / c.n >= this.config.cohort.minRotationShare,
      member: (c, i) => c.cluster?.inRotation.has(c.accountIds[i]) === true,
    },
  ];

  createStreamState(): ScriptedCommentsState {
    return {
      commenters: new Map(),
      clusters: new Map(),
      buckets: new Map(),
      nextClusterId: 0,
      touched: [],
      active: [],
      flagged: new Map(),
      flaggedAccounts: new Map(),
      reportedAccounts: new Set(),
      periodicAccounts: new Set(),
      rhythmAccounts: new Set(),
      rhythmChanged: false,
      timingChanged: [],
      intervalHistogram: new Uint32Array(INTERVAL_BUCKETS),
      intervalsSeen: 0,
    };
  }

  onViewerEvicted(_stream: StreamView, state: ScriptedCommentsState, profile: ViewerProfile): void {
    const commenter = state.commenters.get(profile.accountId);
    if (commenter === undefined || commenter.activeInWindow) return;
    state.commenters.delete(profile.accountId);
    state.periodicAccounts.delete(profile.accountId);
    if (state.rhythmAccounts.delete(profile.accountId)) state.rhythmChanged = true;
  }

  trackedItems(state: ScriptedCommentsState): number {
    return state.commenters.size + state.clusters.size + state.flagged.size;
  }

  onEvent(_stream: StreamView, state: ScriptedCommentsState, event: RoomEvent, _late: boolean, profile: ViewerProfile | undefined): void {
    if (event.type !== 'comment') return;
    // The profile's id is the stream's one copy: keys built from it share it and compare by identity.
    const accountId = profile?.accountId ?? event.accountId;
    const commenter = this.commenterFor(state, accountId);
    this.observeTiming(state, accountId, commenter, event.ts);
    const normalised = normaliseComment(event.text);
    if (codePointLength(normalised) < this.config.template.minNormalisedChars) return;
    const cluster = this.clusterFor(state, normalised, event.ts);
    if (cluster === undefined) return;
    cluster.posts++;
    cluster.lastAt = Math.max(cluster.lastAt, event.ts);
    this.keepRecentPost(cluster, accountId, event.ts);
    if (!cluster.touched) {
      cluster.touched = true;
      state.touched.push(cluster);
    }
    // Keep clusters in order of last use so expiry walks only the stale front.
    state.clusters.delete(cluster.id);
    state.clusters.set(cluster.id, cluster);
    let repeats = cluster.accounts.get(accountId);
    if (repeats !== undefined || cluster.accounts.size < this.config.template.maxAccountsPerCluster) {
      repeats = (repeats ?? 0) + 1;
      cluster.accounts.set(accountId, repeats);
      if (repeats > commenter.topTemplateRepeats) {
        commenter.topTemplateRepeats = repeats;
      }
    } else {
      cluster.accountsBeyondCap++;
    }
    if (cluster.samples.length < this.config.caps.samples && !cluster.samples.includes(event.text)) {
      cluster.samples.push(event.text);
    }
  }

  onWindowClose(stream: StreamView, state: ScriptedCommentsState, window: WindowBounds): void {
    this.evaluate(stream, state, window.end, false);
  }

  onStreamEnd(stream: StreamView, state: ScriptedCommentsState, at: number): void {
    this.evaluate(stream, state, at, true);
  }

  // ---- per comment ------------------------------------------------------------------------

  private commenterFor(state: ScriptedCommentsState, accountId: string): CommenterState {
    let commenter = state.commenters.get(accountId);
    if (commenter === undefined) {
      commenter = {
        posts: 0,
        lastTs: -1,
        intervals: 0,
        intervalMean: 0,
        intervalM2: 0,
        buckets: [],
        topTemplateRepeats: 0,
        periodic: false,
        regular: false,
        synced: false,
        activeInWindow: false,
      };
      state.commenters.set(accountId, commenter);
    }
    return commenter;
  }

  /** The room's posting floor (upper edge of the quantile's bucket), or undefined while too few intervals are known. */
  private paceFloorMs(state: ScriptedCommentsState, minIntervals = this.config.paceFloor.minIntervals): number | undefined {
    const rules = this.config.paceFloor;
    if (state.intervalsSeen < minIntervals) return undefined;
    const target = rules.quantile * state.intervalsSeen;
    let seen = 0;
    for (let bucket = 0; bucket < INTERVAL_BUCKETS; bucket++) {
      seen += state.intervalHistogram[bucket];
      if (seen >= target) return bucketUpperMs(bucket);
    }
    return undefined;
  }

  private observeTiming(state: ScriptedCommentsState, accountId: string, commenter: CommenterState, ts: number): void {
    commenter.posts++;
    if (commenter.lastTs >= 0 && ts >= commenter.lastTs) {
      const interval = ts - commenter.lastTs;
      commenter.intervals++;
      const delta = interval - commenter.intervalMean;
      commenter.intervalMean += delta / commenter.intervals;
      commenter.intervalM2 += delta * (interval - commenter.intervalMean);
      state.intervalHistogram[intervalBucket(interval)]++;
      state.intervalsSeen++;
    }
    commenter.lastTs = Math.max(commenter.lastTs, ts);
    const bucket = Math.floor(ts / this.config.sync.bucketMs);
    const buckets = commenter.buckets;
    if (!buckets.includes(bucket)) {
      // A new exact-size array (concat/slice) rather than push: a pushed-to array grows its store to 17 slots
      // for the 10 kept, and there is one per commenting account.
      const next = buckets.concat(bucket);
      commenter.buckets = next.length > this.config.sync.bucketsKept ? next.slice(next.length - this.config.sync.bucketsKept) : next;
    }
    if (!commenter.activeInWindow) {
      commenter.activeInWindow = true;
      state.active.push(accountId);
    }
  }

  /** Keeps the cluster's last posts in ts order (events of a stream come in ts order; a late one is slotted in). */
  private keepRecentPost(cluster: TemplateCluster, accountId: string, ts: number): void {
    const times = cluster.recentTimes;
    let at = times.length;
    while (at > 0 && times[at - 1] > ts) at--;
    times.splice(at, 0, ts);
    cluster.recentPosters.splice(at, 0, accountId);
    if (times.length > this.config.clock.postsKept) {
      times.shift();
      cluster.recentPosters.shift();
    }
  }

  private clusterFor(state: ScriptedCommentsState, normalised: string, ts: number): TemplateCluster | undefined {
    const rules = this.config.template;
    const signature = textSignature(normalised, rules.hashes);
    const bandKeys = this.bandKeysOf(signature);
    let match: TemplateCluster | undefined;
    let matchSimilarity = 0;
    for (const key of bandKeys) {
      const candidate = state.buckets.get(key);
      if (candidate === undefined || candidate === match) continue;
      let best = 0;
      for (const representative of candidate.representatives) best = Math.max(best, signatureSimilarity(signature, representative));
      // The best candidate wins; ties go to the older cluster, so the outcome does not depend on band order.
      if (best >= rules.minSimilarity && (best > matchSimilarity || (best === matchSimilarity && match !== undefined && candidate.id < match.id))) {
        match = candidate;
        matchSimilarity = best;
      }
    }
    if (match !== undefined) {
      if (matchSimilarity < rules.newRepresentativeBelow && match.representatives.length < rules.representatives) {
        match.representatives.push(signature);
        for (const key of bandKeys) {
          match.bandKeys.push(key);
          if (!state.buckets.has(key)) state.buckets.set(key, match);
        }
      }
      return match;
    }
    if (state.clusters.size >= rules.maxClustersPerStream) return undefined;
    const cluster: TemplateCluster = {
      id: state.nextClusterId++,
      representatives: [signature],
      bandKeys,
      template: normalised.slice(0, 200),
      firstAt: ts,
      lastAt: ts,
      posts: 0,
      accounts: new Map(),
      accountsBeyondCap: 0,
      samples: [],
      touched: false,
      recentTimes: [],
      recentPosters: [],
      onClock: new Set(),
      inRotation: new Set(),
      clockGapMs: null,
      rotationLength: null,
      assessedAccounts: 0,
      assessedPosts: 0,
      assessedTimed: 0,
      verdict: undefined,
    };
    state.clusters.set(cluster.id, cluster);
    for (const key of bandKeys) if (!state.buckets.has(key)) state.buckets.set(key, cluster);
    return cluster;
  }

  private bandKeysOf(signature: Uint32Array): number[] {
    const keys: number[] = [];
    for (let band = 0; band < this.config.template.bands; band++) {
      let h = band;
      for (let row = 0; row < this.rowsPerBand; row++) h = mix32(h ^ signature[band * this.rowsPerBand + row], row);
      keys.push(band * 4_294_967_296 + h);
    }
    return keys;
  }

  /**
   * Reads the cluster's recent posts for a clock and a rotation, and
   * remembers who posted on them (bounded like the cluster's accounts).
   */
  private timeCluster(cluster: TemplateCluster): void {
    const cap = this.config.template.maxAccountsPerCluster;
    const clock = clockOf(cluster.recentTimes, this.config.clock);
    if (clock !== undefined) {
      cluster.clockGapMs = clock.medianGapMs;
      for (const index of clock.onClock) {
        const poster = cluster.recentPosters[index];
        if (cluster.onClock.size < cap || cluster.onClock.has(poster)) cluster.onClock.add(poster);
      }
    }
    const rotation = rotationOf(cluster.recentPosters, this.config.rotation);
    if (rotation !== undefined) {
      cluster.rotationLength = rotation.length;
      for (const member of rotation.members) if (cluster.inRotation.size < cap) cluster.inRotation.add(member);
    }
  }

  // ---- window micro-batch -----------------------------------------------------------------

  private evaluate(stream: StreamView, state: ScriptedCommentsState, now: number, final: boolean): void {
    const activeCommenters = state.active;
    state.active = [];
    for (const accountId of activeCommenters) {
      const commenter = state.commenters.get(accountId);
      if (commenter === undefined) continue;
      commenter.activeInWindow = false;
      const periodic = this.isRegular(commenter, this.config.periodic.minIntervals, this.config.periodic.maxIntervalCv);
      const regular = this.isRegular(commenter, this.config.periodic.cohortMinIntervals, this.config.periodic.cohortMaxIntervalCv);
      if (periodic !== commenter.periodic) {
        commenter.periodic = periodic;
        if (periodic) state.periodicAccounts.add(accountId);
        else state.periodicAccounts.delete(accountId);
      }
      if (regular !== commenter.regular) {
        commenter.regular = regular;
        state.timingChanged.push(accountId);
      }
      const rhythm = regular && commenter.intervals >= this.config.periodic.rhythmMinIntervals;
      if (rhythm !== state.rhythmAccounts.has(accountId)) {
        if (rhythm) state.rhythmAccounts.add(accountId);
        else state.rhythmAccounts.delete(accountId);
        state.rhythmChanged = true;
      }
    }
    const newlyNamed: string[] = [];
    const board = boardOf(stream);
    let flaggedThisWindow = false;
    const consider = (verdict: CommentCohortVerdict | undefined): void => {
      if (verdict === undefined || !verdict.flagged) return;
      flaggedThisWindow = true;
      state.flagged.set(verdict.cohort, verdict);
      for (const accountId of verdict.accounts) {
        const cohorts = state.flaggedAccounts.get(accountId);
        if (cohorts === undefined) {
          state.flaggedAccounts.set(accountId, [verdict.cohort]);
          newlyNamed.push(accountId);
          const profile = stream.viewers.get(accountId);
          if (profile !== undefined) board.noteScripted(profile, now);
        } else if (!cohorts.includes(verdict.cohort)) {
          cohorts.push(verdict.cohort);
        }
      }
    };

    for (const group of this.lockstepGroups(state, activeCommenters)) {
      consider(this.assess(stream, state, 'lockstep', `lockstep:${group[0]}`, group, undefined, undefined));
    }
    const timingChanged = state.timingChanged;
    state.timingChanged = [];
    const toJudge = final ? [...state.clusters.values()] : state.touched;
    state.touched = [];
    for (const cluster of toJudge) {
      cluster.touched = false;
      if (cluster.accounts.size < this.config.template.minAccounts) continue;
      this.timeCluster(cluster);
      const timed = cluster.onClock.size + cluster.inRotation.size;
      const grown =
        cluster.accounts.size >= cluster.assessedAccounts * 1.25 || cluster.posts >= cluster.assessedPosts * 1.5 || timed >= cluster.assessedTimed * 1.25 + 1;
      if (!grown && !final && !timingChanged.some((id) => cluster.accounts.has(id))) continue;
      cluster.assessedAccounts = cluster.accounts.size;
      cluster.assessedPosts = cluster.posts;
      cluster.assessedTimed = timed;
      const members = [...cluster.accounts.keys()];
      let verdict = this.assess(stream, state, 'template', `template:${cluster.id}`, members, cluster, undefined);
      // A cohort once proven stays proven as it grows (a pool's later fills dilute its shares): later
      // members are judged one by one on the signals that proved it.
      const proven = cluster.verdict?.flagged === true ? cluster.verdict.who : undefined;
      if (verdict !== undefined && !verdict.flagged && proven !== undefined) {
        verdict = this.assess(stream, state, 'template', `template:${cluster.id}`, members, cluster, proven);
      }
      cluster.verdict = verdict;
      consider(verdict);
    }
    if (state.rhythmChanged || final) {
      state.rhythmChanged = false;
      if (state.rhythmAccounts.size >= this.config.template.minAccounts) {
        consider(this.assess(stream, state, 'periodic', 'periodic', [...state.rhythmAccounts], undefined, undefined));
      }
    }
    if (state.flagged.size > 0 && (flaggedThisWindow || final)) {
      const cohorts = [...state.flagged.values()];
      stream.report(buildCommentRoomFinding(stream, this.config, cohorts, state.flaggedAccounts.size, [...state.flaggedAccounts.keys()]), now);
      this.reportAccounts(stream, state, newlyNamed, now, final);
    }
    // At the end, periodic accounts that waited for the room's posting floor are decided with what is known.
    this.reportLoneAccounts(stream, state, final ? [...new Set([...activeCommenters, ...state.periodicAccounts])] : activeCommenters, now, final);
    this.expireClusters(state, now);
  }

  private isRegular(commenter: CommenterState, minIntervals: number, maxCv: number): boolean {
    if (commenter.intervals < Math.max(2, minIntervals) || commenter.intervalMean < this.config.periodic.minMeanIntervalMs) return false;
    const sd = Math.sqrt(commenter.intervalM2 / (commenter.intervals - 1));
    return sd / commenter.intervalMean <= maxCv;
  }

  /**
   * Accounts whose recent post buckets nearly coincide: LSH over each active
   * account's bucket set, exact Jaccard on candidate pairs, union-find.
   */
  private lockstepGroups(state: ScriptedCommentsState, active: readonly string[]): string[][] {
    const rules = this.config.sync;
    const eligible: string[] = [];
    for (const accountId of active) {
      const commenter = state.commenters.get(accountId);
      if (commenter !== undefined && commenter.buckets.length >= rules.minPosts) eligible.push(accountId);
      if (eligible.length >= rules.maxAccountsPerWindow) break;
    }
    if (eligible.length < rules.minAccounts) return [];
    const parent = eligible.map((_, i) => i);
    const find = (i: number): number => {
      while (parent[i] !== i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
      }
      return i;
    };
    const bands = new Map<string, number>();
    const bucketSets = eligible.map((id) => (state.commenters.get(id) as CommenterState).buckets);
    eligible.forEach((_, i) => {
      const buckets = bucketSets[i];
      // 4 bands of 2 min-hashes each over the bucket set.
      for (let band = 0; band < 4; band++) {
        let key = `${band}`;
        for (let row = 0; row < 2; row++) {
          let min = 0xffffffff;
          for (const bucket of buckets) {
            const h = mix32(bucket, band * 2 + row);
            if (h < min) min = h;
          }
          key += `:${min}`;
        }
        const other = bands.get(key);
        if (other === undefined) {
          bands.set(key, i);
        } else if (find(other) !== find(i) && jaccard(bucketSets[other], buckets) >= rules.minSimilarity) {
          parent[find(i)] = find(other);
        }
      }
    });
    const components = new Map<number, string[]>();
    eligible.forEach((id, i) => {
      const root = find(i);
      const members = components.get(root);
      if (members === undefined) components.set(root, [id]);
      else members.push(id);
    });
    const groups = [...components.values()].filter((members) => members.length >= rules.minAccounts);
    for (const group of groups) {
      for (const id of group) {
        const commenter = state.commenters.get(id) as CommenterState;
        if (!commenter.synced) state.timingChanged.push(id);
        commenter.synced = true;
      }
    }
    return groups;
  }

  private assess(
    stream: StreamView,
    state: ScriptedCommentsState,
    kind: CohortKind,
    cohort: string,
    accountIds: readonly string[],
    cluster: TemplateCluster | undefined,
    proven: readonly WhoSignal[] | undefined,
  ): CommentCohortVerdict | undefined {
    const rules = this.config.cohort;
    const profiles: ViewerProfile[] = [];
    // Regular at the room's posting floor is slow mode's rhythm, not a timer's; before the floor is known, nobody's rhythm counts.
    const floor = this.paceFloorMs(state, this.config.paceFloor.cohortMinIntervals);
    const aboveFloor = (commenter: CommenterState): boolean => floor !== undefined && commenter.intervalMean > floor * this.config.paceFloor.margin;
    const regular: boolean[] = [];
    const regulars: Array<{ accountId: string; meanIntervalMs: number; lastPostAt: number }> = [];
    let synced = 0;
    let periodic = 0;
    let repeaters = 0;
    for (const accountId of accountIds) {
      const profile = stream.viewers.get(accountId);
      if (profile !== undefined) profiles.push(profile);
      const commenter = state.commenters.get(accountId);
      const isRegular = commenter !== undefined && commenter.regular && aboveFloor(commenter);
      regular.push(isRegular);
      if (commenter === undefined) continue;
      if (isRegular) regulars.push({ accountId, meanIntervalMs: commenter.intervalMean, lastPostAt: commenter.lastTs });
      if (commenter.synced) synced++;
      if (commenter.periodic) periodic++;
      if (cluster !== undefined && (cluster.accounts.get(accountId) ?? 0) >= this.config.periodic.minTemplateRepeats) repeaters++;
    }
    const n = accountIds.length;
    if (n === 0) return undefined;
    const identity = measureCohortIdentity(profiles, {
      youngAccountMaxAgeMs: rules.youngAccountMaxAgeMs,
      coCreatedSpanMs: rules.coCreatedSpanMs,
      subnetPeers: rules.subnetPeers,
      tamperedModelPeers: rules.tamperedModelPeers,
      maxListed: this.config.caps.samples,
    });
    const found = cadenceOf(regulars, this.config.cadence);
    // Phases that concentrate are the room's cue (scheduled draws), not independent timers.
    const cadence = found !== undefined && found.phaseConcentration <= this.config.cadence.maxPhaseConcentration ? found : undefined;
    const models = modelSpread(profiles, rules.fewModels);
    const context: CommentCohortContext = {
      n,
      accountIds,
      identity,
      clumped: creationClumps(profiles, rules.creationClumpSpanMs, rules.subnetPeers),
      models,
      fewModels: models.withModel >= rules.minMembersWithModel && models.topShare >= rules.minTopModelShare,
      modelConcentrated: identity.withModel >= rules.minMembersWithModel && identity.topModelShare >= rules.minTopModelShare,
      profiles: accountIds.map((id) => stream.viewers.get(id)),
      commenters: accountIds.map((id) => state.commenters.get(id)),
      syncedShare: synced / n,
      regular,
      regularShare: regulars.length / n,
      cadence,
      cadenceMembers: new Set(cadence?.members ?? []),
      cluster,
    };
    // Only members carrying the cohort's who-signals themselves are named: an honest
    // viewer who typed the same phrase must not inherit a farm's verdict.
    const table = proven === undefined ? this.whoTable : this.whoTable.map((rule) => (proven.includes(rule.signal) ? { ...rule, group: () => true } : rule));
    const judgement = judgeCohort(table, context, accountIds.length, rules.minWhoSignals);
    const who = judgement.signals;
    const core = judgement.core.map((i) => accountIds[i]);
    const minimum = kind === 'lockstep' ? this.config.sync.minAccounts : this.config.template.minAccounts;
    const flagged = core.length >= minimum && who.length >= rules.minWhoSignals;
    const repeaterShare = cluster !== undefined ? repeaters / n : 0;
    // Text likeness adds a little; each who-signal adds more; repeating accounts add a little.
    const score = Math.min(0.97, 0.3 + 0.2 * who.length + (kind === 'template' ? 0.1 : 0) + (repeaterShare >= 0.5 ? 0.05 : 0));
    return {
      cohort,
      kind,
      flagged,
      score: round(score, 3),
      who,
      accounts: core,
      accountsTotal: n + (cluster?.accountsBeyondCap ?? 0),
      posts: cluster?.posts ?? null,
      template: cluster?.template ?? null,
      samples: cluster?.samples ?? [],
      firstAt: cluster?.firstAt ?? null,
      lastAt: cluster?.lastAt ?? null,
      syncedShare: round(synced / n, 3),
      periodicShare: round(periodic / n, 3),
      regularShare: round(regulars.length / n, 3),
      cadencePeriodMs: cadence !== undefined ? Math.round(cadence.periodMs) : null,
      cadenceAccounts: cadence?.members.length ?? 0,
      clockGapMs: cluster?.clockGapMs ?? null,
      onClockAccounts: cluster?.onClock.size ?? 0,
      rotationLength: cluster?.rotationLength ?? null,
      rotationAccounts: cluster?.inRotation.size ?? 0,
      repeaterShare: round(repeaterShare, 3),
      identity: describeIdentity(identity),
    };
  }

  private reportAccounts(stream: StreamView, state: ScriptedCommentsState, accountIds: readonly string[], now: number, final: boolean): void {
    const targets = final ? [...state.flaggedAccounts.keys()] : accountIds;
    for (const accountId of targets) {
      if (!final && state.reportedAccounts.has(accountId)) continue;
      if (!state.reportedAccounts.has(accountId) && state.reportedAccounts.size >= this.config.caps.accountFindingsPerStream) continue;
      const cohorts = (state.flaggedAccounts.get(accountId) ?? [])
        .map((key) => state.flagged.get(key))
        .filter((v): v is CommentCohortVerdict => v !== undefined);
      state.reportedAccounts.add(accountId);
      stream.report(
        buildCommentAccountFinding(stream, this.config, accountId, stream.viewers.get(accountId), state.commenters.get(accountId), cohorts, undefined),
        now,
      );
    }
  }

  /**
   * A lone account (no cohort) is named only when machine-regular timing
   * meets a second signal: it repeats one template at short intervals, or
   * it is a fresh account or on a tampered device. Repeating at the room's
   * own posting floor is a person meeting slow mode, not a timer.
   */
  private reportLoneAccounts(stream: StreamView, state: ScriptedCommentsState, active: readonly string[], now: number, final: boolean): void {
    const rules = this.config.periodic;
    // At the end, what the room showed decides; a room too quiet to show any floor leaves repetition unjudged
    // (a fan pasting a cheer at a small room's slow mode looks exactly like a timer).
    const floor = this.paceFloorMs(state) ?? (final ? this.paceFloorMs(state, this.config.paceFloor.cohortMinIntervals) : undefined);
    for (const accountId of active) {
      if (state.reportedAccounts.has(accountId)) continue;
      const commenter = state.commenters.get(accountId);
      if (commenter === undefined || !commenter.periodic) continue;
      const profile = stream.viewers.get(accountId);
      const repeatsAtSomePace = commenter.topTemplateRepeats >= rules.minTemplateRepeats && commenter.intervalMean <= rules.loneAccountMaxMeanIntervalMs;
      // Until the room's own posting floor is known, repetition alone waits (the account is looked at again as it posts).
      const repeats = repeatsAtSomePace && floor !== undefined && commenter.intervalMean > floor * this.config.paceFloor.margin;
      const young =
        profile !== undefined && profile.createdAt >= 0 && profile.firstJoinedAt - profile.createdAt <= this.config.cohort.youngAccountMaxAgeMs;
      const tampered = profile !== undefined && (profile.emulator || profile.rooted);
      const second: LoneSignal[] = [];
      if (repeats) second.push('repeatsTemplate');
      if (young) second.push('youngAccount');
      if (tampered) second.push('tamperedDevice');
      if (second.length === 0) continue;
      if (state.reportedAccounts.size >= this.config.caps.accountFindingsPerStream) return;
      state.reportedAccounts.add(accountId);
      if (profile !== undefined) boardOf(stream).noteScripted(profile, now);
      stream.report(buildCommentAccountFinding(stream, this.config, accountId, profile, commenter, [], second), now);
    }
  }

  private expireClusters(state: ScriptedCommentsState, now: number): void {
    const ttl = this.config.template.clusterIdleTtlMs;
    for (const [id, cluster] of state.clusters) {
      if (now - cluster.lastAt < ttl) break;
      state.clusters.delete(id);
      for (const key of cluster.bandKeys) if (state.buckets.get(key) === cluster) state.buckets.delete(key);
    }
  }
}

/** What the who-signal table reads about one comment cohort. */
interface CommentCohortContext {
  n: number;
  accountIds: readonly string[];
  identity: CohortIdentity;
  /** Members created in a registration sitting with others (see `cohort.creationClumpSpanMs`). */
  clumped: ReadonlySet<string>;
  models: ModelSpread;
  /** The cohort runs on a farm's few models (`cohort.fewModels` of them cover `minTopModelShare`). */
  fewModels: boolean;
  modelConcentrated: boolean;
  profiles: ReadonlyArray<ViewerProfile | undefined>;
  commenters: ReadonlyArray<CommenterState | undefined>;
  syncedShare: number;
  /** Members loosely regular above the room's posting floor, by index. */
  regular: readonly boolean[];
  regularShare: number;
  /** The members' one timer setting, if their phases are independent. */
  cadence: Cadence | undefined;
  cadenceMembers: ReadonlySet<string>;
  cluster: TemplateCluster | undefined;
}

function jaccard(a: readonly number[], b: readonly number[]): number {
  let shared = 0;
  for (const value of a) if (b.includes(value)) shared++;
  const union = a.length + b.length - shared;
  return union > 0 ? shared / union : 0;
}
