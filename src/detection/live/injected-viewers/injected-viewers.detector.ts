import type { RoomEvent } from '../../../events/event.schema.js';
import type { Detector, StreamView, WindowBounds } from '../../engine/detector.js';
import type { CohortMatch } from '../../engine/cohort-directory.js';
import {
  describeIdentity,
  measureCohortIdentity,
  memberIsYoungOrCoCreated,
  memberSharesHardware,
  memberSharesNetwork,
  round,
  type CohortIdentity,
} from '../../shared/cohort-identity.js';
import { batchedTimes, coefficientOfVariation, combineScores, densestSpan } from '../../shared/scoring.js';
import { judgeCohort, type CohortSignalRule } from '../../shared/cohort-signals.js';
import { BurstRuns, type Burst } from '../../shared/burst-runs.js';
import { boardOf } from '../../shared/stream-board.js';
import { interactions, scriptedBefore, talkedBefore, type ViewerProfile } from '../../shared/viewer-profile.js';
import type { InjectedViewersConfig } from './injected-viewers.config.js';
import {
  buildAccountFinding,
  buildRoomFinding,
  type CohortVerdict,
  type DeviceLink,
  type DisplayedInflation,
  type DisplayedSteps,
  type JoinBurst,
  type JoinSteps,
  type CohortSignal,
  type ViewerGroupKind,
} from './injected-viewers.evidence.js';

/** The room's own mix of device models and builds over every account that joined (models and builds are few, so this stays small). */
interface IdentityMix {
  models: Map<string, number>;
  withModel: number;
  /** Accounts per build (see `buildOf`), and how many of them run it tampered (emulated or rooted). */
  builds: Map<string, { accounts: number; tampered: number }>;
}

/**
 * The software a device runs: its OS version, else its model. A farm's image
 * is one OS build on every seat, whatever model string a hook framework's
 * "new phone" button reports at each login; the model is the first thing
 * such tools spoof.
 */
function buildOf(profile: ViewerProfile): string {
  return profile.os ?? profile.model ?? 'unknown';
}

/** Key under which a day's model counts keep how many of its accounts reported a model (no model is named so). */
const DAY_WITH_MODEL = '\u0000with-model';

interface ViewerGroup {
  kind: ViewerGroupKind;
  /** Unique per stream: the kind and the shared value. */
  key: string;
  /** Start of the join span, for `joinSpan` groups (else 0). */
  anchor: number;
  members: ViewerProfile[];
  lastJoinAt: number;
  /** Gained members (or a scripted note) since it was last looked at; it then sits in `state.changed`. */
  dirty: boolean;
  /** Members at the last assessment: a group is re-judged when it grew by a quarter, bounding the micro-batch. */
  assessedSize: number;
  /** Event time of its pending re-check timer without new members (staying is a matter of time), or +Infinity. */
  checkAt: number;
  /** A member was named by scripted-comments since the last assessment: its talk no longer counts as a person's. */
  rejudge: boolean;
  /** Accounts in its last cross-room sighting (0: none yet); it is sighted again once it has grown by `crossRoom.regrowthFactor`. */
  sightedAccounts: number;
  /** A join span is sighted once, when its members have had time to show they stay: then it is done. */
  sightingDone: boolean;
  /** Device groups only: the most of its accounts present at once, its accounts' first model, and whether another reported a different one. */
  maxPresent: number;
  model: string | undefined;
  mixedModels: boolean;
  /** Cross-room groups only: the earlier sightings in other rooms that hold most of this group (best per stream). */
  otherRooms: CohortMatch[];
  verdict: CohortVerdict | undefined;
}

export interface InjectedViewersState {
  joinsSeen: number;
  // Displayed count vs present accounts.
  lastDisplayed: number;
  lastPresentAtCount: number;
  inflationFrom: number;
  inflationSamples: number;
  inflationPeak: { at: number; displayed: number; present: number };
  inflation: DisplayedInflation | undefined;
  unexplainedRises: Array<{ at: number; rise: number; presentRise: number }>;
  /** Join bursts (first joins are the members). */
  joinRuns: BurstRuns<ViewerProfile>;
  bursts: JoinBurst[];
  /** Lockstep like bursts (accounts tapping). */
  likeRuns: BurstRuns<ViewerProfile>;
  /** Lockstep like bursts each account took part in (only accounts that took part in one). */
  lockstepLikes: Map<ViewerProfile, number>;
  // Cohort groups by shared key.
  /** Groups with two or more members, in creation order (evaluation order). */
  groups: Map<string, ViewerGroup>;
  byJoinSpan: Map<number, ViewerGroup>;
  byDevice: Map<string, ViewerProfile | ViewerGroup>;
  /**
   * Departed viewers forgotten by the stream whose device id no other
   * account used yet: the id keeps them for `handsets.handoverMs` after they
   * left (a seat's next account may log in minutes later), in departure order.
   */
  lingeringDevices: Array<{ deviceId: string; profile: ViewerProfile; until: number }>;
  /** Device ids found to be farm handsets (see `handsets` in the config); their accounts form the `handsets` group. */
  farmHandsets: Set<string>;
  bySubnet: Map<string, ViewerProfile | ViewerGroup>;
  byCreated: Map<number, ViewerProfile | ViewerGroup>;
  byTampered: Map<string, ViewerProfile | ViewerGroup>;
  byCreatedDay: Map<number, ViewerProfile | ViewerGroup>;
  mix: IdentityMix;
  /** Notes on the stream board already taken (accounts scripted-comments named). */
  scriptedSeen: number;
  /** Groups that gained members or a scripted note since the last micro-batch. */
  changed: ViewerGroup[];
  /** Groups waiting for a re-check timer, by its event time. */
  due: Map<number, ViewerGroup[]>;
  /** Named accounts with the keys of the groups naming them; the profile is kept, as a named viewer may have left and been evicted. */
  flaggedAccounts: Map<string, { profile: ViewerProfile; groups: string[] }>;
  /** Device ids used by an account a flagged cohort named on its own signals: other accounts on them may inherit the verdict. */
  coreDevices: Set<string>;
  /** Accounts named through a shared handset rather than their own cohort signals, with the link for the evidence. */
  linkedAccounts: Map<string, DeviceLink>;
  reportedAccounts: Set<string>;
}

export class InjectedViewersDetector implements Detector<InjectedViewersState> {
  readonly name = 'injected-viewers';

  constructor(private readonly config: InjectedViewersConfig) {}

  createStreamState(): InjectedViewersState {
    const joins = this.config.joinSteps;
    const likes = this.config.lockstepLikes;
    const state: InjectedViewersState = {
      joinsSeen: 0,
      lastDisplayed: -1,
      lastPresentAtCount: 0,
      inflationFrom: -1,
      inflationSamples: 0,
      inflationPeak: { at: 0, displayed: 0, present: 0 },
      inflation: undefined,
      unexplainedRises: [],
      joinRuns: new BurstRuns<ViewerProfile>(
        {
          bucketMs: joins.bucketMs,
          minHotBucket: joins.minHotBucketJoins,
          isolationRatio: joins.isolationRatio,
          maxBurstBuckets: joins.maxBurstBuckets,
          minBurst: joins.minBurstJoins,
          baselineBuckets: joins.baselineBuckets,
          distinct: false,
        },
        (burst) => this.onJoinBurst(state, burst),
      ),
      bursts: [],
      likeRuns: new BurstRuns<ViewerProfile>(
        {
          bucketMs: likes.bucketMs,
          minHotBucket: likes.minHotBucketAccounts,
          isolationRatio: likes.isolationRatio,
          maxBurstBuckets: likes.maxBurstBuckets,
          minBurst: likes.minBurstAccounts,
          baselineBuckets: likes.rateHorizonBuckets,
          distinct: true,
        },
        (burst) => this.onLikeBurst(state, burst),
      ),
      lockstepLikes: new Map(),
      groups: new Map(),
      byJoinSpan: new Map(),
      byDevice: new Map(),
      lingeringDevices: [],
      farmHandsets: new Set(),
      bySubnet: new Map(),
      byCreated: new Map(),
      byTampered: new Map(),
      byCreatedDay: new Map(),
      mix: {
        models: new Map(),
        withModel: 0,
        builds: new Map(),
      },
      scriptedSeen: 0,
      changed: [],
      due: new Map(),
      flaggedAccounts: new Map(),
      coreDevices: new Set(),
      linkedAccounts: new Map(),
      reportedAccounts: new Set(),
    };
    return state;
  }

  onViewerEvicted(_stream: StreamView, state: InjectedViewersState, profile: ViewerProfile): void {
    // A key only this viewer held is no longer a lead; shared keys keep their group.
    const forget = <K>(map: Map<K, ViewerProfile | ViewerGroup>, key: K | undefined): void => {
      if (key !== undefined && map.get(key) === profile) map.delete(key);
    };
    if (profile.deviceId !== undefined && state.byDevice.get(profile.deviceId) === profile && profile.leftAt >= 0) {
      // A seat's next account may come minutes after this one left: the device id remembers it a while longer.
      state.lingeringDevices.push({ deviceId: profile.deviceId, profile, until: profile.leftAt + this.config.handsets.handoverMs });
    }
    forget(state.bySubnet, profile.subnet);
    if (profile.createdAt >= 0) {
      const span = this.config.cohort.coCreatedSpanMs;
      forget(state.byCreated, Math.floor(profile.createdAt / span) * span);
    }
    forget(state.byTampered, buildOf(profile));
    if (profile.createdAt >= 0) forget(state.byCreatedDay, this.createdDay(profile.createdAt));
    state.lockstepLikes.delete(profile);
  }

  trackedItems(state: InjectedViewersState): number {
    return state.groups.size + state.bursts.length + state.unexplainedRises.length + state.lockstepLikes.size + state.linkedAccounts.size + state.lingeringDevices.length;
  }

  onEvent(stream: StreamView, state: InjectedViewersState, event: RoomEvent, late: boolean, profile: ViewerProfile | undefined): void {
    if (event.type === 'viewer.joined') {
      state.joinsSeen++;
      if (profile === undefined) return;
      if (profile.joins === 1) this.indexMember(state, profile);
      if (profile.deviceId !== undefined) this.observeHandset(state, profile, profile.deviceId);
      if (!late) state.joinRuns.add(event.ts, profile.joins === 1 ? profile : undefined);
    } else if (event.type === 'viewer.count') {
      this.observeDisplayed(stream, state, event.ts, event.displayed);
    } else if (event.type === 'like' && !late) {
      if (profile !== undefined) state.likeRuns.add(event.ts, profile);
    }
  }

  onWindowClose(stream: StreamView, state: InjectedViewersState, window: WindowBounds): void {
    this.forgetLingeringDevices(state, window.end);
    state.joinRuns.closeBefore(stream.watermark);
    state.likeRuns.closeBefore(stream.watermark);
    this.evaluate(stream, state, window.end, false);
  }

  /** A group's re-check is due: its members have had time to stay or leave. */
  onTimer(stream: StreamView, state: InjectedViewersState, at: number): void {
    const due = (state.due.get(at) ?? []).filter((group) => group.checkAt === at);
    state.due.delete(at);
    if (due.length === 0) return;
    state.joinRuns.closeBefore(stream.watermark);
    state.likeRuns.closeBefore(stream.watermark);
    this.evaluate(stream, state, at, false, due);
  }

  onStreamEnd(stream: StreamView, state: InjectedViewersState, at: number): void {
    state.joinRuns.closeBefore(Number.POSITIVE_INFINITY);
    state.likeRuns.closeBefore(Number.POSITIVE_INFINITY);
    this.evaluate(stream, state, at, true);
  }

  /** Device ids of departed viewers no one else used within `handsets.handoverMs` of their leaving lead nowhere. */
  private forgetLingeringDevices(state: InjectedViewersState, now: number): void {
    const lingering = state.lingeringDevices;
    let head = 0;
    while (head < lingering.length && lingering[head].until <= now) {
      const { deviceId, profile } = lingering[head++];
      if (state.byDevice.get(deviceId) === profile) state.byDevice.delete(deviceId);
    }
    if (head > 0) lingering.splice(0, head);
  }

  // ---- displayed count -------------------------------------------------------------------

  private observeDisplayed(stream: StreamView, state: InjectedViewersState, at: number, displayed: number): void {
    const rules = this.config.displayedInflation;
    const present = stream.presentViewers;
    const inflated =
      state.joinsSeen >= rules.minJoinsSeen &&
      displayed - present >= rules.minExcess &&
      displayed >= rules.minRatio * Math.max(present, 1);
    if (inflated) {
      if (state.inflationFrom < 0) {
        state.inflationFrom = at;
        state.inflationSamples = 0;
        state.inflationPeak = { at, displayed, present };
      }
      state.inflationSamples++;
      if (displayed / Math.max(present, 1) > state.inflationPeak.displayed / Math.max(state.inflationPeak.present, 1)) {
        state.inflationPeak = { at, displayed, present };
      }
      const sustainedMs = at - state.inflationFrom;
      if (sustainedMs >= rules.minSustainedMs && state.inflationSamples >= rules.minSamples) {
        if (state.inflation === undefined || sustainedMs >= state.inflation.sustainedMs) {
          state.inflation = {
            from: state.inflationFrom,
            to: at,
            sustainedMs,
            samples: state.inflationSamples,
            peakDisplayed: state.inflationPeak.displayed,
            presentAtPeak: state.inflationPeak.present,
            peakRatio: round(state.inflationPeak.displayed / Math.max(state.inflationPeak.present, 1), 2),
            peakAt: state.inflationPeak.at,
          };
        }
      }
    } else {
      state.inflationFrom = -1;
    }
    const steps = this.config.displayedSteps;
    if (state.lastDisplayed >= 0) {
      const rise = displayed - state.lastDisplayed;
      const presentRise = present - state.lastPresentAtCount;
      if (rise >= steps.minStep && presentRise <= rise * steps.maxPresentRiseShare) {
        state.unexplainedRises.push({ at, rise, presentRise });
        if (state.unexplainedRises.length > steps.maxRisesKept) state.unexplainedRises.shift();
      }
    }
    state.lastDisplayed = displayed;
    state.lastPresentAtCount = present;
  }

  /**
   * Consecutive unexplained rises of one size at a steady rhythm: a dial.
   * Only consecutive runs count; picking any few similar rises out of many
   * would find a "pattern" in every long honest stream.
   */
  private displayedSteps(state: InjectedViewersState): DisplayedSteps | undefined {
    const rules = this.config.displayedSteps;
    const rises = state.unexplainedRises;
    let best: DisplayedSteps | undefined;
    for (const run of regularRuns(rises, (r) => r.rise, (r) => r.at, rules.stepTolerance, rules.maxIntervalCv, rules.minSteps)) {
      if (best !== undefined && run.length <= best.steps) continue;
      best = {
        steps: run.length,
        stepSize: run[0].rise,
        firstAt: run[0].at,
        lastAt: run[run.length - 1].at,
        presentRiseTotal: run.reduce((sum, r) => sum + r.presentRise, 0),
        displayedRiseTotal: run.reduce((sum, r) => sum + r.rise, 0),
      };
    }
    return best;
  }

  // ---- join bursts -----------------------------------------------------------------------

  /** A join burst: remembered for step patterns, and its accounts form a group. */
  private onJoinBurst(state: InjectedViewersState, burst: Burst<ViewerProfile>): void {
    state.bursts.push({ at: burst.at, joins: burst.count });
    if (state.bursts.length > this.config.joinSteps.maxBurstsKept) state.bursts.shift();
    const group = this.groupFor(state, 'joinBurst', `burst:${burst.at}`);
    for (const member of burst.members) this.addToGroup(state, group, member);
  }

  /** Consecutive large bursts of one size at a steady rhythm (see `displayedSteps` on why consecutive). */
  private joinSteps(state: InjectedViewersState): JoinSteps | undefined {
    const rules = this.config.joinSteps;
    const large = state.bursts.filter((b) => b.joins >= rules.minStepJoins);
    let best: JoinSteps | undefined;
    for (const run of regularRuns(large, (b) => b.joins, (b) => b.at, rules.sizeTolerance, rules.maxIntervalCv, rules.minBursts)) {
      if (best !== undefined && run.length <= best.bursts.length) continue;
      const gaps = run.slice(1).map((b, i) => b.at - run[i].at);
      const sizes = run.map((b) => b.joins).sort((a, b) => a - b);
      best = {
        bursts: run,
        stepSize: sizes[sizes.length >> 1],
        meanIntervalMs: Math.round(gaps.reduce((a, b) => a + b, 0) / gaps.length),
        intervalCv: round(coefficientOfVariation(gaps), 3),
      };
    }
    return best;
  }

  // ---- lockstep likes --------------------------------------------------------------------

  /**
   * A lockstep like burst. A host's spoken "tap like!" reaches viewers with
   * seconds of stream latency and human reaction time between them, so it
   * makes a ramp several seconds long, not a cliff of one or two seconds.
   */
  private onLikeBurst(state: InjectedViewersState, burst: Burst<ViewerProfile>): void {
    const rules = this.config.lockstepLikes;
    const group = this.groupFor(state, 'lockstepLikes', 'likes:lockstep');
    for (const account of burst.members) {
      const count = (state.lockstepLikes.get(account) ?? 0) + 1;
      state.lockstepLikes.set(account, count);
      if (count === rules.minBurstsPerAccount) this.addToGroup(state, group, account);
    }
  }

  // ---- cohorts ---------------------------------------------------------------------------

  private indexMember(state: InjectedViewersState, profile: ViewerProfile): void {
    const rules = this.config.cohort;
    // Everyone who joined in the same span: the raw material for lockstep across rooms.
    const span = Math.floor(profile.firstJoinedAt / rules.togetherSpanMs) * rules.togetherSpanMs;
    let joined = state.byJoinSpan.get(span);
    if (joined === undefined) {
      joined = this.groupFor(state, 'joinSpan', `joined:${span}`);
      joined.anchor = span;
      state.byJoinSpan.set(span, joined);
    }
    this.addToGroup(state, joined, profile);
    if (profile.deviceId !== undefined) this.index(state, state.byDevice, profile.deviceId, 'device', profile);
    if (profile.subnet !== undefined) this.index(state, state.bySubnet, profile.subnet, 'subnet', profile);
    if (profile.createdAt >= 0 && profile.firstJoinedAt - profile.createdAt <= rules.youngAccountMaxAgeMs) {
      const hour = Math.floor(profile.createdAt / rules.coCreatedSpanMs) * rules.coCreatedSpanMs;
      this.index(state, state.byCreated, hour, 'created', profile);
    }
    if (profile.emulator || profile.rooted) this.index(state, state.byTampered, buildOf(profile), 'tampered', profile);
    // Who the account is, whenever it joined: the room's model mix, and the accounts created on one day.
    const mix = state.mix;
    if (profile.model !== undefined) {
      mix.withModel++;
      mix.models.set(profile.model, (mix.models.get(profile.model) ?? 0) + 1);
    }
    const build = buildOf(profile);
    let onBuild = mix.builds.get(build);
    if (onBuild === undefined) {
      onBuild = { accounts: 0, tampered: 0 };
      mix.builds.set(build, onBuild);
    }
    onBuild.accounts++;
    if (profile.emulator || profile.rooted) onBuild.tampered++;
    if (profile.createdAt >= 0) this.index(state, state.byCreatedDay, this.createdDay(profile.createdAt), 'createdDay', profile);
  }

  /**
   * Accounts per handset: on a join to a device id other accounts use, how
   * many of them are here at once, and how many it has carried. A device
   * that runs several at once, or carries account after account, is a farm
   * handset; its accounts, and those joining on it later, form one group
   * (whatever network each came through: a cloud-phone seat rotates proxies).
   */
  private observeHandset(state: InjectedViewersState, profile: ViewerProfile, deviceId: string): void {
    const device = state.byDevice.get(deviceId);
    if (device === undefined || !('members' in device)) return;
    let present = 0;
    for (const member of device.members) if (member.present) present++;
    device.maxPresent = Math.max(device.maxPresent, present);
    if (profile.model !== undefined) {
      if (device.model === undefined) device.model = profile.model;
      else if (device.model !== profile.model) device.mixedModels = true;
    }
    // Seats (one account at a time, account after account) pool apart from phones running several at once: a
    // cloud-phone farm and a brushing crew's cloned phones may work one room, and one's talkers would hide the
    // other's silence.
    const seat = device.maxPresent <= 1;
    const handsets = this.groupFor(state, 'handsets', seat ? 'handsets:seats' : 'handsets');
    if (state.farmHandsets.has(deviceId)) {
      // A placeholder id shows itself over time (strangers at once, other models): it was never a handset.
      if (!this.isHandset(device)) state.farmHandsets.delete(deviceId);
      else if (profile.joins === 1) this.addToGroup(state, handsets, profile);
      return;
    }
    if (!this.isFarmHandset(device)) return;
    state.farmHandsets.add(deviceId);
    for (const member of device.members) this.addToGroup(state, handsets, member);
  }

  /**
   * Whether the account took part in a handover on a seat (a device that
   * carried account after account): another account logged in on it within
   * `handoverMs` of this one leaving, or left within that long of this one
   * logging in. Its slot began or ended on the software's schedule, as a
   * batch's does. `seatTimes` caches each seat's sorted join and leave times
   * for one assessment.
   */
  private handedOver(state: InjectedViewersState, member: ViewerProfile, seatTimes: Map<string, SeatTimes>): boolean {
    const rules = this.config.handsets;
    if (member.deviceId === undefined || !state.farmHandsets.has(member.deviceId)) return false;
    let times = seatTimes.get(member.deviceId);
    if (times === undefined) {
      const device = state.byDevice.get(member.deviceId);
      const seat = device !== undefined && 'members' in device && device.members.length >= rules.minSeatAccounts ? device.members : [];
      const byTime = (x: SeatMoment, y: SeatMoment): number => x.at - y.at;
      times = {
        joins: seat.map((m) => ({ at: m.firstJoinedAt, member: m })).sort(byTime),
        leaves: seat.filter((m) => !m.present && m.leftAt >= 0).map((m) => ({ at: m.leftAt, member: m })).sort(byTime),
      };
      seatTimes.set(member.deviceId, times);
    }
    const left = !member.present && member.leftAt >= 0;
    return (left && anotherNear(times.joins, member.leftAt, member, rules.handoverMs)) || anotherNear(times.leaves, member.firstJoinedAt, member, rules.handoverMs);
  }

  /**
   * One physical handset, as far as the room can tell: no more accounts at
   * once than an app cloner runs, and one model, or else never more than
   * `maxConcurrentWithMixedModels` at once. A broken or placeholder id shows
   * strangers on different phones at the same time; a cloud-phone seat whose
   * build reports a new model at every login still carries one account at a
   * time.
   */
  private isHandset(device: ViewerGroup): boolean {
    const rules = this.config.handsets;
    if (device.maxPresent > rules.maxConcurrentAccounts) return false;
    return !device.mixedModels || device.maxPresent <= rules.maxConcurrentWithMixedModels;
  }

  /** A handset that ran several accounts at once, or carried account after account (a seat). */
  private isFarmHandset(device: ViewerGroup): boolean {
    const rules = this.config.handsets;
    return this.isHandset(device) && (device.maxPresent >= rules.minConcurrentAccounts || device.members.length >= rules.minSeatAccounts);
  }

  private createdDay(createdAt: number): number {
    return Math.floor(createdAt / this.config.identity.createdBucketMs);
  }

  /**
   * Whether the account's model is far more common among the accounts
   * created on its creation day than among the rest of the room. Honest
   * accounts registered on one day (a promo's brand-new viewers, two old
   * friends) carry the room's usual mix of phones; a bulk registration runs
   * on one or two handset models. Comparing with the rest of the room, not a
   * fixed list, keeps it true whatever phones a market uses and however
   * large the farm is. `pairs` caches per-day model counts for one micro-batch.
   */
  private hasRareIdentity(state: InjectedViewersState, profile: ViewerProfile, pairs: Map<ViewerGroup, Map<string, number>>): boolean {
    const rules = this.config.identity;
    const model = profile.model;
    if (model === undefined || profile.createdAt < 0) return false;
    const day = state.byCreatedDay.get(this.createdDay(profile.createdAt));
    if (day === undefined || !('members' in day)) return false;
    let counts = pairs.get(day);
    if (counts === undefined) {
      counts = new Map();
      let withModel = 0;
      for (const member of day.members) {
        if (member.model === undefined) continue;
        withModel++;
        counts.set(member.model, (counts.get(member.model) ?? 0) + 1);
      }
      counts.set(DAY_WITH_MODEL, withModel);
      pairs.set(day, counts);
    }
    const onDay = counts.get(model) ?? 0;
    const dayWithModel = counts.get(DAY_WITH_MODEL) ?? 0;
    if (onDay < rules.minPairAccounts) return false;
    const mix = state.mix;
    const rest = mix.withModel - dayWithModel;
    const restShare = rest >= rules.minRestAccounts ? ((mix.models.get(model) ?? 0) - onDay) / rest : rules.priorModelShare;
    return onDay >= rules.rarityFactor * dayWithModel * Math.max(restShare, rules.minModelShare);
  }

  /**
   * Most keys (a device id, a home subnet) belong to one account only; they
   * stay a bare map entry, and become a group object when a second account
   * shares them, which keeps per-viewer state small.
   */
  private index<K extends string | number>(
    state: InjectedViewersState,
    map: Map<K, ViewerProfile | ViewerGroup>,
    key: K,
    kind: ViewerGroupKind,
    profile: ViewerProfile,
  ): void {
    const found = map.get(key);
    if (found === undefined || (!('members' in found) && found.accountId === profile.accountId)) {
      // (A viewer back after the stream forgot it is a new profile of the same account, not a second account.)
      map.set(key, profile);
    } else if ('members' in found) {
      this.addToGroup(state, found, profile);
    } else if (found !== profile) {
      const group = this.groupFor(state, kind, `${kind}:${key}`);
      this.addToGroup(state, group, found);
      this.addToGroup(state, group, profile);
      map.set(key, group);
    }
  }

  private groupFor(state: InjectedViewersState, kind: ViewerGroupKind, key: string): ViewerGroup {
    let group = state.groups.get(key);
    if (group === undefined) {
      group = {
        kind,
        key,
        anchor: 0,
        members: [],
        lastJoinAt: Number.NEGATIVE_INFINITY,
        dirty: false,
        assessedSize: 0,
        checkAt: Number.POSITIVE_INFINITY,
        rejudge: false,
        maxPresent: 0,
        model: undefined,
        mixedModels: false,
        sightedAccounts: 0,
        sightingDone: false,
        otherRooms: [],
        verdict: undefined,
      };
      state.groups.set(key, group);
    }
    return group;
  }

  private addToGroup(state: InjectedViewersState, group: ViewerGroup, profile: ViewerProfile): void {
    if (group.members.length >= this.config.cohort.maxGroupSize) return;
    group.members.push(profile);
    group.lastJoinAt = Math.max(group.lastJoinAt, profile.firstJoinedAt);
    this.markChanged(state, group);
  }

  /** Queues the group for the next micro-batch: only groups that changed (or whose timer fired) are judged again. */
  private markChanged(state: InjectedViewersState, group: ViewerGroup): void {
    if (group.dirty) return;
    group.dirty = true;
    state.changed.push(group);
  }

  /** Wakes the group up at `at` (event time) through an engine timer, one timer per distinct time. */
  private scheduleCheck(stream: StreamView, state: InjectedViewersState, group: ViewerGroup, at: number): void {
    group.checkAt = at;
    if (!Number.isFinite(at)) return;
    const due = state.due.get(at);
    if (due !== undefined) {
      due.push(group);
      return;
    }
    state.due.set(at, [group]);
    stream.registerTimer(this as Detector<unknown>, at);
  }

  private assessGroup(
    state: InjectedViewersState,
    group: Pick<ViewerGroup, 'kind' | 'key' | 'members' | 'otherRooms'>,
    now: number,
    final: boolean,
  ): CohortVerdict {
    const rules = this.config.cohort;
    const members = group.members;
    const n = members.length;
    const joins = members.map((m) => m.firstJoinedAt).sort((a, b) => a - b);
    const together = densestSpan(joins, rules.togetherSpanMs);
    const half = rules.togetherSpanMs / 2;
    const joinedInBatch = batchedTimes(members.map((m) => m.firstJoinedAt), half, rules.minBatchPeers, rules.batchDensityFactor, rules.batchBaselineSpanMs);
    const leavers = members.filter((m) => !m.present && m.leftAt >= 0);
    const leftInBatchFlags = batchedTimes(leavers.map((m) => m.leftAt), rules.departSpanMs / 2, rules.minBatchPeers, rules.batchDensityFactor, rules.batchBaselineSpanMs);
    const leftInBatch = new Set<ViewerProfile>(leavers.filter((_, i) => leftInBatchFlags[i]));
    // A slot's accounts logged out on the software's clock: within seconds of each other, at separate moments.
    const onTimerFlags = batchedTimes(leavers.map((m) => m.leftAt), rules.timerLeaveSpanMs / 2, rules.minBatchPeers, rules.batchDensityFactor, rules.batchBaselineSpanMs);
    const leftOnTimer = new Set<ViewerProfile>(leavers.filter((_, i) => onTimerFlags[i]));
    const leaveBatches = countClusters([...leftOnTimer].map((m) => m.leftAt), rules.departSpanMs);
    const seatTimes = new Map<string, SeatTimes>();
    const identity: CohortIdentity = measureCohortIdentity(members, {
      youngAccountMaxAgeMs: rules.youngAccountMaxAgeMs,
      coCreatedSpanMs: rules.coCreatedSpanMs,
      subnetPeers: rules.subnetPeers,
      tamperedModelPeers: rules.tamperedModelPeers,
      maxListed: this.config.caps.samples,
    });
    const likeRules = this.config.lockstepLikes;
    const pairs = new Map<ViewerGroup, Map<string, number>>();
    const onFarmHandset = members.map((m) => m.deviceId !== undefined && state.farmHandsets.has(m.deviceId));
    const context: ViewerCohortContext = {
      kind: group.kind,
      members,
      joinedInBatch,
      // Machine-like presence: never talks as a person (scripted talk is the script's), and either watches a long
      // while or leaves with its batch (a paid slot ending).
      // Watched long enough counts whether the account is still here or left on its own timer: an aged farm's
      // accounts each leave on their own clock, and "still present" would only count the latest arrivals.
      mechanical: members.map(
        (m) => watchedSilently(m, now, rules.minStayMs) || (!talkedBefore(m, now) && (leftInBatch.has(m) || leftOnTimer.has(m) || this.handedOver(state, m, seatTimes))),
      ),
      talks: members.map((m) => talkedBefore(m, now)),
      identity,
      modelConcentrated: identity.withModel >= rules.minMembersWithModel && identity.topModelShare >= rules.minTopModelShare,
      rareIdentity: members.map((m) => this.hasRareIdentity(state, m, pairs)),
      // Control software taps only in its bursts; a person who likes a lot also likes in their own time.
      tapsInLockstep: members.map((m) => {
        const bursts = state.lockstepLikes.get(m) ?? 0;
        return bursts >= likeRules.minBurstsPerAccount && bursts >= likeRules.minShareOfOwnLikes * (m.interactionCount - m.talkCount);
      }),
      onFarmHandset,
      farmHandsets: new Set(members.filter((_, i) => onFarmHandset[i]).map((m) => m.deviceId)).size,
      otherRooms: new Set(group.otherRooms.map((match) => match.roomId)).size,
      leftOnTimer: members.map((m) => leftOnTimer.has(m)),
      leaveBatches,
      tamperedStandsOut: group.kind !== 'tampered' || this.buildStandsOut(state, members[0]),
      now,
    };
    let interacting = 0;
    let talking = 0;
    let stayed = 0;
    let observed = 0;
    let batched = 0;
    let scripted = 0;
    for (const [i, member] of members.entries()) {
      if (now - member.firstJoinedAt >= rules.minStayMs) observed++;
      if (interactions(member) > 0 && !scriptedBefore(member, now)) interacting++;
      if (context.talks[i]) talking++;
      if (context.mechanical[i]) stayed++;
      if (joinedInBatch[i]) batched++;
      if (scriptedBefore(member, now)) scripted++;
    }
    const judgement = judgeCohort(this.signalTable, context, n, rules.minSignals);
    // Issue 18: a farm is judged on its silent and scripted members together. Its talkers are named as injected
    // viewers too only where the machine put them with the silent ones (the same burst, step or handset): a
    // scripted chat cohort that merely arrived in the same half minute is scripted-comments' alone, and so is
    // a talker, scripted or not, who shares a span, a network or a pool of handsets with a farm.
    const namesTalkers = group.kind === 'joinBurst' || group.kind === 'joinSteps' || group.kind === 'device';
    const silentCore = judgement.core.filter((i) => members[i].talkCount === 0).length;
    const core = namesTalkers ? judgement.core : judgement.core.filter((i) => members[i].talkCount === 0);
    return {
      group: group.key,
      kind: group.kind,
      members: n,
      signals: judgement.signals,
      // No verdict before most members have been watched long enough to show whether they talk or stay.
      // A cohort whose members all talk a script is scripted-comments' subject: this verdict needs silent accounts of its own.
      flagged:
        silentCore >= rules.minSize &&
        judgement.signals.length >= rules.minSignals &&
        judgement.ties >= rules.minTieSignals &&
        talking / n <= rules.maxInteractingShareToJudge &&
        (final || observed >= rules.minObservedShare * n),
      // 3 agreeing families ≈ 0.7, each further one adds.
      score: round(Math.min(0.99, 0.25 + 0.15 * judgement.signals.length), 3),
      joinedWithinSpan: { accounts: together.count, from: together.from, to: together.to, spanMs: rules.togetherSpanMs },
      interactingAccounts: interacting,
      talkingAccounts: talking,
      scriptedAccounts: scripted,
      joinedInBatches: batched,
      leftInBatches: leftInBatch.size,
      leaveBatches,
      stayedAccounts: stayed,
      rareIdentityAccounts: context.rareIdentity.filter(Boolean).length,
      farmHandsets: context.farmHandsets,
      identity: describeIdentity(identity),
      otherRooms: group.otherRooms.slice(0, this.config.caps.samples).map((m) => ({ ...m, accounts: m.accounts.slice(0, this.config.caps.samples) })),
      silentAccounts: silentCore,
      accounts: core.map((i) => members[i].accountId),
      named: core.map((i) => members[i]),
    };
  }

  /** The cohort signals of a viewer group: each a group test and a member test (see `judgeCohort`). */
  private readonly signalTable: readonly CohortSignalRule<CohortSignal, ViewerCohortContext>[] = [
    {
      signal: 'joinedTogether',
      tie: () => false,
      group: (c) => share(c.joinedInBatch) >= this.config.cohort.minTogetherShare,
      member: (c, i) => c.joinedInBatch[i],
    },
    {
      signal: 'passiveAndStaying',
      tie: () => false,
      group: (c) => share(c.talks) <= this.config.cohort.maxInteractingShare && share(c.mechanical) >= this.config.cohort.minStayedShare,
      member: (c, i) => c.mechanical[i],
    },
    {
      signal: 'youngOrCoCreated',
      tie: () => false,
      group: (c) =>
        c.identity.withCreationTime >= c.members.length / 2 &&
        (c.identity.youngShare >= this.config.cohort.minYoungShare || c.identity.coCreatedShare >= this.config.cohort.minCoCreatedShare),
      member: (c, i) => memberIsYoungOrCoCreated(c.members[i], c.identity, this.config.cohort.youngAccountMaxAgeMs),
    },
    {
      // Hardware binds accounts to one operator: strangers do not share phones, and tampered builds or one model
      // across a whole cohort are what a farm buys in bulk.
      signal: 'sharedHardware',
      tie: (c) => this.hardwareTie(c),
      group: (c) => this.sharesHandsets(c) || this.tamperedOrOneModel(c),
      member: (c, i) => memberSharesHardware(c.members[i], c.identity, c.modelConcentrated),
    },
    {
      // A few crowded subnets: the operator's rented exits, or an office, a campus, carrier NAT (so never a tie).
      // Exits are bought apart from phones, so beside tampered builds or one model the network is a family of its
      // own. Beside shared handsets it is not: accounts on one tablet share its wifi by construction (a household).
      signal: 'sharedNetwork',
      tie: () => false,
      group: (c) => c.identity.sharedSubnetShare >= this.config.cohort.minSharedInfraShare && (!this.sharesHandsets(c) || this.tamperedOrOneModel(c)),
      member: (c, i) => memberSharesNetwork(c.members[i], c.identity),
    },
    {
      signal: 'rareIdentity',
      tie: () => true,
      group: (c) => share(c.rareIdentity) >= this.config.identity.minGroupShare,
      member: (c, i) => c.rareIdentity[i],
    },
    {
      // Only cross-room groups carry matches, and only sightings that hold most of the group: every member was
      // seen with the others elsewhere. It binds them to one operator only with hardware or a rare identity in
      // common: fans following a celebrity from room to room, or regulars of one carrier's NAT, return together
      // too, each on their own phone.
      signal: 'seenInOtherRooms',
      tie: (c) => this.hardwareTie(c) || share(c.rareIdentity) >= this.config.identity.minGroupShare,
      group: (c) => c.kind === 'crossRoom' && c.otherRooms >= 1,
      member: () => true,
    },
    {
      // Several handsets each running several of the accounts, at once or one after another: a farm's pool of
      // phones or rented cloud-phone seats. A household passes one tablet around; strangers never share phones.
      // One seat that carried a whole cohort by itself, account after account, is such a pool on its own: a
      // family tablet carries two or three accounts, never `cohort.minSize`.
      signal: 'handsetPool',
      tie: () => true,
      group: (c) =>
        (c.farmHandsets >= this.config.handsets.minHandsets || (c.kind === 'device' && c.farmHandsets === 1 && c.members.length >= this.config.cohort.minSize)) &&
        share(c.onFarmHandset) >= this.config.handsets.minGroupShare,
      member: (c, i) => c.onFarmHandset[i],
    },
    {
      // Tapping like in the same second as the others, burst after burst: group-control software. Only for a
      // group that otherwise never talks: an engaged crowd likes together too, and it comments.
      signal: 'likedInLockstep',
      tie: () => true,
      group: (c) => share(c.tapsInLockstep) >= this.config.lockstepLikes.minGroupShare && share(c.talks) <= this.config.cohort.maxInteractingShare,
      member: (c, i) => c.tapsInLockstep[i],
    },
    {
      // Leaving in batches, again and again: a paid slot ending on the control software's timer, all seats at
      // once, whenever each account came in. One exodus is a stream's end or a host sending viewers elsewhere;
      // a timer repeats.
      signal: 'leftOnTimer',
      tie: () => false,
      group: (c) => c.leaveBatches >= this.config.cohort.minLeaveBatches && share(c.leftOnTimer) >= this.config.cohort.minTogetherShare,
      member: (c, i) => c.leftOnTimer[i] && !c.talks[i],
    },
  ];

  /** Handsets other members also use, tampered devices, or one model for nearly all: what strangers never share. */
  private sharesHandsets(c: ViewerCohortContext): boolean {
    return c.identity.sharedDeviceShare >= this.config.cohort.minSharedInfraShare;
  }

  /** The group's hardware is a build: emulators, rooted phones or one model, whichever handsets carry it. */
  private tamperedOrOneModel(c: ViewerCohortContext): boolean {
    return (c.tamperedStandsOut && c.identity.emulatorShare >= this.config.cohort.minEmulatorShare) || c.modelConcentrated;
  }

  /**
   * Whether the tampered phones on a member's build are far more common than
   * the room's other builds explain. A group of a room's tampered phones on
   * one build is tampered by construction: it says something only when that
   * build holds a tampered share the rest of the room does not (a farm's
   * image), not when it holds many tampered phones because it holds many of
   * everyone (the most common OS of an audience with a few percent rooted).
   */
  private buildStandsOut(state: InjectedViewersState, member: ViewerProfile | undefined): boolean {
    if (member === undefined) return false;
    const rules = this.config.tamperedBuilds;
    const build = buildOf(member);
    const onBuild = state.mix.builds.get(build);
    if (onBuild === undefined || onBuild.accounts === 0) return false;
    // The rest of the room, summed over its other builds (OS versions are few).
    let restAccounts = 0;
    let restTampered = 0;
    for (const [other, counts] of state.mix.builds) {
      if (other === build) continue;
      restAccounts += counts.accounts;
      restTampered += counts.tampered;
    }
    const restShare = restAccounts >= rules.minRestAccounts ? restTampered / restAccounts : rules.priorTamperedShare;
    return onBuild.tampered / onBuild.accounts >= rules.excessFactor * Math.max(restShare, rules.minTamperedShare);
  }

  private hardwareTie(c: ViewerCohortContext): boolean {
    const id = c.identity;
    return Math.max(id.sharedDeviceShare, c.tamperedStandsOut ? id.emulatorShare : 0) >= this.config.cohort.minHardwareTieShare || c.modelConcentrated;
  }

  /**
   * Records a group in the cross-room directory once it looks like a cohort
   * (two signals), and again whenever it has grown by `regrowthFactor` since
   * (a farm's rooms fill over an hour; a sighting of its first ten accounts
   * says little about the next hundred). Everyone who joined in one span is
   * recorded once, when its members have had time to show they stay: then
   * its silent watchers are. Earlier sightings in other rooms that hold most
   * of what was recorded (a farm returns whole; a few regulars who also
   * watch the other room do not) make a cross-room group of the accounts
   * they share.
   */
  private recordSighting(stream: StreamView, state: InjectedViewersState, group: ViewerGroup, verdict: CohortVerdict, now: number): void {
    const rules = this.config.cohort;
    const crossRoomRules = this.config.crossRoom;
    let accounts: string[];
    if (group.kind === 'joinSpan') {
      if (group.sightingDone || now - group.lastJoinAt < rules.minStayMs) return;
      group.sightingDone = true;
      accounts = group.members.filter((m) => watchedSilently(m, now, rules.minStayMs)).map((m) => m.accountId);
      if (accounts.length < rules.minSize) return;
    } else if (verdict.signals.length >= crossRoomRules.minSignalsToRecord) {
      accounts = verdict.accounts;
      if (accounts.length < rules.minSize) return;
      if (group.sightedAccounts > 0 && accounts.length < group.sightedAccounts * crossRoomRules.regrowthFactor) return;
    } else {
      return;
    }
    group.sightedAccounts = accounts.length;
    const matches = stream.cohorts
      .recordSighting({ roomId: stream.roomId, streamId: stream.streamId, at: now, accounts })
      .filter((match) => match.sharedAccounts >= crossRoomRules.minReturningShare * accounts.length);
    if (matches.length === 0) return;
    const crossRoom = this.groupFor(state, 'crossRoom', `crossRoom:${group.key}`);
    for (const match of matches) {
      const known = crossRoom.otherRooms.findIndex((m) => m.roomId === match.roomId && m.streamId === match.streamId);
      if (known < 0) crossRoom.otherRooms.push(match);
      else if (match.sharedAccounts > crossRoom.otherRooms[known].sharedAccounts) crossRoom.otherRooms[known] = match;
    }
    crossRoom.otherRooms.sort((a, b) => b.sharedAccounts - a.sharedAccounts || a.at - b.at || (a.roomId < b.roomId ? -1 : 1));
    // The group keeps the profiles of members who have left (and may have been forgotten by the stream).
    const profiles = new Map(group.members.map((m) => [m.accountId, m]));
    const members = new Set(crossRoom.members);
    for (const match of matches) {
      for (const accountId of match.accounts) {
        const profile = profiles.get(accountId);
        if (profile !== undefined && !members.has(profile)) {
          members.add(profile);
          this.addToGroup(state, crossRoom, profile);
        }
      }
    }
    this.markChanged(state, crossRoom);
  }

  /** Takes the accounts scripted-comments named before `now` and marks the groups holding them for a fresh look. */
  private takeScriptedNotes(stream: StreamView, state: InjectedViewersState, now: number): void {
    const notes = boardOf(stream).scripted;
    if (state.scriptedSeen >= notes.length) return;
    const fresh = new Set<ViewerProfile>();
    // Notes are in naming order, so event time never decreases along them.
    while (state.scriptedSeen < notes.length && scriptedBefore(notes[state.scriptedSeen], now)) fresh.add(notes[state.scriptedSeen++]);
    if (fresh.size === 0) return;
    for (const group of state.groups.values()) {
      if (!group.rejudge && group.members.some((m) => fresh.has(m))) {
        group.rejudge = true;
        this.markChanged(state, group);
      }
    }
  }

  private evaluate(stream: StreamView, state: InjectedViewersState, now: number, final: boolean, due?: readonly ViewerGroup[]): void {
    const rules = this.config.cohort;
    this.takeScriptedNotes(stream, state, now);
    // Only groups that changed or whose timer fired are judged again (every group at the end); judging can add
    // groups (cross-room sightings), which join the same batch.
    let candidates = final ? [...state.groups.values()] : [...(due ?? []), ...state.changed];
    state.changed = [];
    while (candidates.length > 0) {
      for (const group of candidates) {
        group.dirty = false;
        if (state.groups.get(group.key) !== group) continue; // settled and forgotten
        const size = group.members.length;
        if (size < rules.minSize || group.kind === 'joinSteps') continue;
        const grown = size >= group.assessedSize * 1.25;
        if (!grown && !final && !group.rejudge && now < group.checkAt) continue;
        group.rejudge = false;
        group.assessedSize = size;
        const verdict = this.assessGroup(state, group, now, final);
        if (group.kind !== 'crossRoom') this.recordSighting(stream, state, group, verdict, now);
        const settledAt = group.lastJoinAt + rules.minStayMs + stream.windowMs;
        let next = Number.POSITIVE_INFINITY;
        if (final || verdict.flagged) next = Number.POSITIVE_INFINITY;
        else if (now < settledAt) next = settledAt;
        else if (verdict.signals.length >= rules.minSignals - 1) next = now + rules.recheckMs;
        if (next !== group.checkAt) this.scheduleCheck(stream, state, group, next);
        if (group.kind === 'joinSpan' && group.sightingDone && !verdict.flagged && next === Number.POSITIVE_INFINITY && !final) {
          // Settled and unremarkable: its members can no longer form a cohort through it.
          state.groups.delete(group.key);
          state.byJoinSpan.delete(group.anchor);
          continue;
        }
        if (verdict.flagged || group.verdict?.flagged !== true) group.verdict = verdict;
      }
      candidates = state.changed;
      state.changed = [];
    }
    // Join steps: the accounts of equal, regular bursts form one more group, already known to join together.
    const joinSteps = this.joinSteps(state);
    if (joinSteps !== undefined) {
      const stepGroup = this.groupFor(state, 'joinSteps', 'join-steps');
      const members = new Set(stepGroup.members);
      for (const burst of joinSteps.bursts) {
        for (const member of state.groups.get(`burst:${burst.at}`)?.members ?? []) {
          if (!members.has(member)) {
            members.add(member);
            this.addToGroup(state, stepGroup, member);
          }
        }
      }
      stepGroup.rejudge = false;
      if (stepGroup.members.length >= rules.minSize) {
        const verdict = this.assessGroup(state, stepGroup, now, final);
        // Regular equal bursts are already machine-made (a timer is the tie); one more family is enough to name the accounts.
        const observed = final || stepGroup.members.filter((m) => now - m.firstJoinedAt >= rules.minStayMs).length >= rules.minObservedShare * stepGroup.members.length;
        verdict.flagged =
          observed &&
          verdict.signals.length >= rules.minSignalsWithJoinSteps &&
          verdict.silentAccounts >= rules.minSize &&
          verdict.talkingAccounts / verdict.members <= rules.maxInteractingShareToJudge;
        if (verdict.flagged || stepGroup.verdict?.flagged !== true) stepGroup.verdict = verdict;
      }
    }
    const inflation = state.inflation;
    const displayedSteps = this.displayedSteps(state);
    const flagged = [...state.groups.values()].map((g) => g.verdict).filter((v): v is CohortVerdict => v?.flagged === true);
    if (inflation === undefined && displayedSteps === undefined && joinSteps === undefined && flagged.length === 0) return;

    const newlyNamed: string[] = [];
    for (const verdict of flagged) {
      for (const profile of verdict.named) {
        const known = state.flaggedAccounts.get(profile.accountId);
        if (known === undefined) {
          state.flaggedAccounts.set(profile.accountId, { profile, groups: [verdict.group] });
          newlyNamed.push(profile.accountId);
        } else if (!known.groups.includes(verdict.group)) {
          known.groups.push(verdict.group);
        }
      }
    }
    this.inheritThroughDevices(state, flagged, now, newlyNamed);
    const parts: number[] = [];
    if (inflation !== undefined) parts.push(Math.min(0.85, 0.45 + 0.05 * inflation.peakRatio));
    if (displayedSteps !== undefined) parts.push(Math.min(0.8, 0.4 + 0.1 * displayedSteps.steps));
    if (joinSteps !== undefined) parts.push(Math.min(0.8, 0.4 + 0.1 * joinSteps.bursts.length));
    for (const verdict of flagged) parts.push(verdict.score);
    const score = combineScores(parts);
    stream.report(
      buildRoomFinding(stream, this.config, {
        score,
        at: now,
        inflation,
        displayedSteps,
        joinSteps,
        cohorts: flagged,
        flaggedAccounts: [...state.flaggedAccounts.keys()],
      }),
      now,
    );

    const toReport = final ? [...state.flaggedAccounts.keys()] : newlyNamed;
    for (const accountId of toReport) {
      const named = state.flaggedAccounts.get(accountId);
      if (named === undefined) continue;
      const known = state.reportedAccounts.has(accountId);
      if (!known && state.reportedAccounts.size >= this.config.caps.accountFindingsPerStream) continue;
      state.reportedAccounts.add(accountId);
      const profile = named.profile;
      const groups = named.groups
        .map((key) => state.groups.get(key)?.verdict)
        .filter((v): v is CohortVerdict => v !== undefined);
      stream.report(buildAccountFinding(stream, this.config, profile, groups, now, state.linkedAccounts.get(accountId)), now);
    }
  }

  /**
   * An account on the very handset (same device id) as an account a flagged
   * cohort named on its own signals is run by the same operator, even when
   * its own groups were diluted by honest viewers. It inherits the verdict
   * only if its own behaviour agrees: it never commented or ordered and
   * watched at least `minStayMs`. A /24 is never such a link (carrier NAT,
   * households, campuses), and the link is one hop: an inheriting account
   * does not pass the verdict on.
   */
  private inheritThroughDevices(state: InjectedViewersState, flagged: readonly CohortVerdict[], now: number, newlyNamed: string[]): void {
    const rules = this.config.deviceLink;
    if (!rules.enabled) return;
    for (const verdict of flagged) {
      for (const profile of verdict.named) if (profile.deviceId !== undefined) state.coreDevices.add(profile.deviceId);
    }
    const minStay = this.config.cohort.minStayMs;
    for (const deviceId of state.coreDevices) {
      const found = state.byDevice.get(deviceId);
      if (found === undefined || !('members' in found) || !this.isHandset(found)) continue;
      const core = found.members.find((m) => !state.linkedAccounts.has(m.accountId) && state.flaggedAccounts.has(m.accountId));
      if (core === undefined) continue;
      for (const member of found.members) {
        if (state.flaggedAccounts.has(member.accountId)) continue;
        const watchedMs = (member.present ? now : member.leftAt) - member.firstJoinedAt;
        // Never commented or ordered at all: a scripted talker on the handset is scripted-comments' subject.
        if (member.talkCount > 0 || watchedMs < minStay) continue;
        const keys = state.flaggedAccounts.get(core.accountId)?.groups ?? [];
        state.flaggedAccounts.set(member.accountId, { profile: member, groups: [...keys] });
        state.linkedAccounts.set(member.accountId, { deviceId, account: core.accountId, watchedMs, talked: false });
        newlyNamed.push(member.accountId);
      }
    }
  }
}

/** What the signal table reads about one group, computed once per assessment. */
interface ViewerCohortContext {
  kind: ViewerGroupKind;
  members: readonly ViewerProfile[];
  joinedInBatch: readonly boolean[];
  mechanical: readonly boolean[];
  talks: readonly boolean[];
  identity: CohortIdentity;
  modelConcentrated: boolean;
  rareIdentity: readonly boolean[];
  tapsInLockstep: readonly boolean[];
  /** Members on a farm handset, and how many distinct farm handsets the group uses. */
  onFarmHandset: readonly boolean[];
  farmHandsets: number;
  /** Distinct other rooms the group was seen in (cross-room groups only). */
  otherRooms: number;
  /** Members that left within seconds of several others (`timerLeaveSpanMs`), and at how many separate moments. */
  leftOnTimer: readonly boolean[];
  leaveBatches: number;
  /** False for a group of tampered phones on one build the room's mix explains (see `buildStandsOut`); true for every other group. */
  tamperedStandsOut: boolean;
  now: number;
}

interface SeatMoment {
  at: number;
  member: ViewerProfile;
}

/** One seat's joins and leaves, each sorted by time. */
interface SeatTimes {
  joins: SeatMoment[];
  leaves: SeatMoment[];
}

/** Whether a moment of another account than `self` lies within `within` of `at` (the list sorted by time). */
function anotherNear(moments: readonly SeatMoment[], at: number, self: ViewerProfile, within: number): boolean {
  let lo = 0;
  let hi = moments.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (moments[mid].at < at - within) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < moments.length && moments[i].at <= at + within; i++) if (moments[i].member !== self) return true;
  return false;
}

/** Never talked as a person and watched at least `minStayMs` by `now`, whether still present or gone. */
function watchedSilently(member: ViewerProfile, now: number, minStayMs: number): boolean {
  if (talkedBefore(member, now)) return false;
  const until = member.present || member.leftAt < 0 ? now : Math.min(member.leftAt, now);
  return until - member.firstJoinedAt >= minStayMs;
}

/** Groups of times, each more than `gap` after the one before it; `times` in any order. */
function countClusters(times: readonly number[], gap: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let clusters = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i]! - sorted[i - 1]! > gap) clusters++;
  return clusters;
}

function share(flags: readonly boolean[]): number {
  if (flags.length === 0) return 0;
  let count = 0;
  for (const flag of flags) if (flag) count++;
  return count / flags.length;
}

/**
 * Maximal runs of consecutive items whose sizes stay within `tolerance` of
 * the run's first and whose gaps stay regular (CV ≤ `maxCv`), of at least
 * `minLength` items.
 */
function regularRuns<T>(
  items: readonly T[],
  size: (item: T) => number,
  at: (item: T) => number,
  tolerance: number,
  maxCv: number,
  minLength: number,
): T[][] {
  const runs: T[][] = [];
  let i = 0;
  while (i < items.length) {
    const run: T[] = [items[i]];
    let j = i + 1;
    while (j < items.length && Math.abs(size(items[j]) - size(items[i])) <= size(items[i]) * tolerance) {
      const candidate = [...run, items[j]];
      const gaps = candidate.slice(1).map((item, k) => at(item) - at(candidate[k]));
      if (gaps.length >= 2 && coefficientOfVariation(gaps) > maxCv) break;
      run.push(items[j]);
      j++;
    }
    if (run.length >= minLength) runs.push(run);
    // The item that ended a run may start the next one.
    i = j - 1 > i ? j - 1 : i + 1;
  }
  return runs;
}
