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
  periodic: boolean;
  synced: boolean;
  activeInWindow: boolean;
}

export interface TemplateCluster {
  id: number;
  signature: Uint32Array;
  bandKeys: number[];
  template: string;
  firstAt: number;
  lastAt: number;
  posts: number;
  accounts: Map<string, number>;
  accountsBeyondCap: number;
  samples: string[];
  touched: boolean;
  /** Accounts and posts at the last assessment: a cluster is re-judged when it has grown, keeping the micro-batch bounded. */
  assessedAccounts: number;
  assessedPosts: number;
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
  periodicAccounts: Set<string>;
  periodicChanged: boolean;
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
        (c.identity.youngShare >= this.config.cohort.minYoungShare || c.identity.coCreatedShare >= this.config.cohort.minCoCreatedShare),
      member: (c, i) => {
        const profile = c.profiles[i];
        return profile !== undefined && memberIsYoungOrCoCreated(profile, c.identity, this.config.cohort.youngAccountMaxAgeMs);
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
        c.modelConcentrated,
      member: (c, i) => {
        const profile = c.profiles[i];
        return profile !== undefined && memberSharesInfrastructure(profile, c.identity, c.modelConcentrated);
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
      group: (c) => c.periodicShare >= this.config.cohort.minPeriodicShare,
      member: (c, i) => c.commenters[i]?.periodic === true,
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
      periodicChanged: false,
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
        synced: false,
        activeInWindow: false,
      };
      state.commenters.set(accountId, commenter);
    }
    return commenter;
  }

  /** The room's posting floor (upper edge of the quantile's bucket), or undefined while too few intervals are known. */
  private paceFloorMs(state: ScriptedCommentsState): number | undefined {
    const rules = this.config.paceFloor;
    if (state.intervalsSeen < rules.minIntervals) return undefined;
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

  private clusterFor(state: ScriptedCommentsState, normalised: string, ts: number): TemplateCluster | undefined {
    const rules = this.config.template;
    const signature = textSignature(normalised, rules.hashes);
    const bandKeys: number[] = [];
    let match: TemplateCluster | undefined;
    for (let band = 0; band < rules.bands; band++) {
      let h = band;
      for (let row = 0; row < this.rowsPerBand; row++) h = mix32(h ^ signature[band * this.rowsPerBand + row], row);
      const key = band * 4_294_967_296 + h;
      bandKeys.push(key);
      if (match === undefined) {
        const candidate = state.buckets.get(key);
        if (candidate !== undefined && signatureSimilarity(signature, candidate.signature) >= rules.minSimilarity) {
          match = candidate;
        }
      }
    }
    if (match !== undefined) return match;
    if (state.clusters.size >= rules.maxClustersPerStream) return undefined;
    const cluster: TemplateCluster = {
      id: state.nextClusterId++,
      signature,
      bandKeys,
      template: normalised.slice(0, 200),
      firstAt: ts,
      lastAt: ts,
      posts: 0,
      accounts: new Map(),
      accountsBeyondCap: 0,
      samples: [],
      touched: false,
      assessedAccounts: 0,
      assessedPosts: 0,
      verdict: undefined,
    };
    state.clusters.set(cluster.id, cluster);
    for (const key of bandKeys) if (!state.buckets.has(key)) state.buckets.set(key, cluster);
    return cluster;
  }

  // ---- window micro-batch -----------------------------------------------------------------

  private evaluate(stream: StreamView, state: ScriptedCommentsState, now: number, final: boolean): void {
    const activeCommenters = state.active;
    state.active = [];
    for (const accountId of activeCommenters) {
      const commenter = state.commenters.get(accountId);
      if (commenter === undefined) continue;
      commenter.activeInWindow = false;
      const periodic = this.isPeriodic(commenter);
      if (periodic !== commenter.periodic) {
        commenter.periodic = periodic;
        if (periodic) state.periodicAccounts.add(accountId);
        else state.periodicAccounts.delete(accountId);
        state.periodicChanged = true;
        state.timingChanged.push(accountId);
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
      consider(this.assess(stream, state, 'lockstep', `lockstep:${group[0]}`, group, undefined));
    }
    const timingChanged = state.timingChanged;
    state.timingChanged = [];
    const toJudge = final ? [...state.clusters.values()] : state.touched;
    state.touched = [];
    for (const cluster of toJudge) {
      cluster.touched = false;
      if (cluster.accounts.size < this.config.template.minAccounts) continue;
      const grown = cluster.accounts.size >= cluster.assessedAccounts * 1.25 || cluster.posts >= cluster.assessedPosts * 1.5;
      if (!grown && !final && !timingChanged.some((id) => cluster.accounts.has(id))) continue;
      cluster.assessedAccounts = cluster.accounts.size;
      cluster.assessedPosts = cluster.posts;
      const verdict = this.assess(stream, state, 'template', `template:${cluster.id}`, [...cluster.accounts.keys()], cluster);
      cluster.verdict = verdict;
      consider(verdict);
    }
    if (state.periodicChanged || final) {
      state.periodicChanged = false;
      if (state.periodicAccounts.size >= this.config.template.minAccounts) {
        consider(this.assess(stream, state, 'periodic', 'periodic', [...state.periodicAccounts], undefined));
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

  private isPeriodic(commenter: CommenterState): boolean {
    const rules = this.config.periodic;
    if (commenter.intervals < rules.minIntervals || commenter.intervalMean < rules.minMeanIntervalMs) return false;
    const sd = Math.sqrt(commenter.intervalM2 / (commenter.intervals - 1));
    return sd / commenter.intervalMean <= rules.maxIntervalCv;
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
  ): CommentCohortVerdict | undefined {
    const rules = this.config.cohort;
    const profiles: ViewerProfile[] = [];
    let synced = 0;
    let periodic = 0;
    let repeaters = 0;
    for (const accountId of accountIds) {
      const profile = stream.viewers.get(accountId);
      if (profile !== undefined) profiles.push(profile);
      const commenter = state.commenters.get(accountId);
      if (commenter === undefined) continue;
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
      maxListed: this.config.caps.samples,
    });
    const context: CommentCohortContext = {
      n,
      identity,
      modelConcentrated: identity.withModel >= rules.minMembersWithModel && identity.topModelShare >= rules.minTopModelShare,
      profiles: accountIds.map((id) => stream.viewers.get(id)),
      commenters: accountIds.map((id) => state.commenters.get(id)),
      syncedShare: synced / n,
      periodicShare: periodic / n,
    };
    // Only members carrying the cohort's who-signals themselves are named: an honest
    // viewer who typed the same phrase must not inherit a farm's verdict.
    const judgement = judgeCohort(this.whoTable, context, accountIds.length, rules.minWhoSignals);
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
    const floor = this.paceFloorMs(state);
    for (const accountId of active) {
      if (state.reportedAccounts.has(accountId)) continue;
      const commenter = state.commenters.get(accountId);
      if (commenter === undefined || !commenter.periodic) continue;
      const profile = stream.viewers.get(accountId);
      const repeatsAtSomePace = commenter.topTemplateRepeats >= rules.minTemplateRepeats && commenter.intervalMean <= rules.loneAccountMaxMeanIntervalMs;
      // Until the room's own posting floor is known, repetition alone waits (the account is looked at again as it posts).
      const floorKnown = floor !== undefined || final;
      const repeats = repeatsAtSomePace && floorKnown && !(floor !== undefined && commenter.intervalMean <= floor * this.config.paceFloor.margin);
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
  identity: CohortIdentity;
  modelConcentrated: boolean;
  profiles: ReadonlyArray<ViewerProfile | undefined>;
  commenters: ReadonlyArray<CommenterState | undefined>;
  syncedShare: number;
  periodicShare: number;
}

function jaccard(a: readonly number[], b: readonly number[]): number {
  let shared = 0;
  for (const value of a) if (b.includes(value)) shared++;
  const union = a.length + b.length - shared;
  return union > 0 ? shared / union : 0;
}
