import type { FindingDraft, StreamView } from '../../engine/detector.js';
import type { CohortMatch } from '../../engine/cohort-directory.js';
import type { CohortIdentityEvidence } from '../../shared/cohort-identity.js';
import { combineScores, severityOf } from '../../shared/scoring.js';
import { interactions, type ViewerProfile } from '../../shared/viewer-profile.js';
import type { InjectedViewersConfig } from './injected-viewers.config.js';

/** Signal families a viewer cohort can show; a verdict needs several, at least one of them a tie. */
export type CohortSignal =
  | 'joinedTogether'
  | 'passiveAndStaying'
  | 'youngOrCoCreated'
  | 'sharedHardware'
  | 'sharedNetwork'
  | 'rareIdentity'
  | 'seenInOtherRooms'
  | 'likedInLockstep'
  | 'handsetPool'
  | 'leftOnTimer';

/** What put a group's members together: the key they share. */
export type ViewerGroupKind =
  | 'joinSpan'
  | 'joinBurst'
  | 'joinSteps'
  | 'device'
  | 'subnet'
  | 'created'
  | 'tampered'
  | 'createdDay'
  | 'lockstepLikes'
  | 'crossRoom'
  | 'handsets';

export interface DisplayedInflation {
  from: number;
  to: number;
  sustainedMs: number;
  samples: number;
  peakDisplayed: number;
  presentAtPeak: number;
  peakRatio: number;
  peakAt: number;
}

export interface DisplayedSteps {
  steps: number;
  stepSize: number;
  firstAt: number;
  lastAt: number;
  displayedRiseTotal: number;
  presentRiseTotal: number;
}

export interface JoinBurst {
  at: number;
  joins: number;
}

export interface JoinSteps {
  bursts: JoinBurst[];
  stepSize: number;
  meanIntervalMs: number;
  intervalCv: number;
}

export interface CohortVerdict {
  group: string;
  kind: ViewerGroupKind;
  members: number;
  signals: CohortSignal[];
  flagged: boolean;
  score: number;
  joinedWithinSpan: { accounts: number; from: number; to: number; spanMs: number };
  interactingAccounts: number;
  talkingAccounts: number;
  /** Members a scripted-comments verdict named: judged with the cohort, reported by scripted_comments. */
  scriptedAccounts: number;
  joinedInBatches: number;
  leftInBatches: number;
  /** Separate moments (more than `departSpanMs` apart) at which members left within `timerLeaveSpanMs` of several others. */
  leaveBatches: number;
  stayedAccounts: number;
  rareIdentityAccounts: number;
  /** Distinct farm handsets (several accounts at once or in turn) the members use. */
  farmHandsets: number;
  /** Who the members are, as the evidence shows it (the per-member sets stay with the assessment). */
  identity: CohortIdentityEvidence;
  otherRooms: CohortMatch[];
  /** Named members that never talked as a person (the rest talked a script). */
  silentAccounts: number;
  accounts: string[];
  /** The named members' profiles (not evidence: for reporting accounts that have since left). */
  named: ViewerProfile[];
}

/** How an account named through a shared handset is tied to the cohort's core. */
export interface DeviceLink {
  deviceId: string;
  /** An account on the same device that the cohort named on its own signals. */
  account: string;
  /** Its own behaviour: watched this long and never commented or ordered. */
  watchedMs: number;
  talked: boolean;
}

export interface RoomVerdict {
  score: number;
  at: number;
  inflation: DisplayedInflation | undefined;
  displayedSteps: DisplayedSteps | undefined;
  joinSteps: JoinSteps | undefined;
  cohorts: CohortVerdict[];
  flaggedAccounts: string[];
}

const SIGNAL_WORDS: Record<CohortSignal, string> = {
  joinedTogether: 'joined together',
  passiveAndStaying: 'never talked, and stayed, left in batches or handed their handset to the next account',
  youngOrCoCreated: 'are new or were created together',
  sharedHardware: 'share devices, run tampered builds or one device model',
  sharedNetwork: 'crowd onto a few shared subnets',
  rareIdentity: 'share a device model and a creation day far more often than this room does',
  seenInOtherRooms: 'appeared together in other rooms',
  likedInLockstep: 'tapped like in the same second, burst after burst',
  handsetPool: 'ran on a pool of handsets each carrying several accounts at once or in turn',
  leftOnTimer: 'left in batches, again and again, as a paid slot ends',
};

// ---- evidence shapes (times are epoch ms, durations ms, shares 0..1; the console formats them) ----

export interface ViewerCohortEvidence extends CohortIdentityEvidence {
  group: string;
  kind: ViewerGroupKind;
  members: number;
  signals: CohortSignal[];
  score: number;
  joinedWithinSpan: { accounts: number; from: number; to: number; spanMs: number };
  interactingAccounts: number;
  talkingAccounts: number;
  scriptedAccounts: number;
  rareIdentityAccounts: number;
  farmHandsets: number;
  joinedInBatches: number;
  leftInBatches: number;
  /** Separate moments its members left within seconds of each other (a slot timer; see `cohort.timerLeaveSpanMs`). */
  leaveBatches: number;
  silentStayersOrBatchLeavers: number;
  otherRooms: CohortMatch[];
}

export interface InjectedViewersRoomEvidence {
  displayedInflation: DisplayedInflation | null;
  displayedSteps: DisplayedSteps | null;
  joinSteps: (Omit<JoinSteps, 'bursts'> & { totalBursts: number; bursts: JoinBurst[] }) | null;
  cohorts: ViewerCohortEvidence[];
  cohortsTotal: number;
  cohortAccountsTotal: number;
  accountsListed: number;
}

export interface InjectedViewersAccountEvidence {
  cohorts: Array<{ group: string; kind: ViewerGroupKind; members: number; signals: CohortSignal[] }>;
  joinedAt: number;
  accountCreatedAt: number | null;
  accountAgeDaysAtJoin: number | null;
  deviceId: string | null;
  deviceModel: string | null;
  os: string | null;
  emulator: boolean;
  rooted: boolean;
  subnet: string | null;
  interactions: number;
  presentAtDecision: boolean;
  decidedAt: number;
  linkedThroughDevice?: DeviceLink;
}

function describeCohort(verdict: CohortVerdict): ViewerCohortEvidence {
  return {
    group: verdict.group,
    kind: verdict.kind,
    members: verdict.members,
    signals: verdict.signals,
    score: verdict.score,
    joinedWithinSpan: { ...verdict.joinedWithinSpan },
    interactingAccounts: verdict.interactingAccounts,
    talkingAccounts: verdict.talkingAccounts,
    scriptedAccounts: verdict.scriptedAccounts,
    rareIdentityAccounts: verdict.rareIdentityAccounts,
    farmHandsets: verdict.farmHandsets,
    joinedInBatches: verdict.joinedInBatches,
    leftInBatches: verdict.leftInBatches,
    leaveBatches: verdict.leaveBatches,
    silentStayersOrBatchLeavers: verdict.stayedAccounts,
    ...verdict.identity,
    otherRooms: verdict.otherRooms,
  };
}


export function buildRoomFinding(stream: StreamView, config: InjectedViewersConfig, verdict: RoomVerdict): FindingDraft {
  const caps = config.caps;
  const phrases: string[] = [];
  if (verdict.inflation !== undefined) {
    const i = verdict.inflation;
    phrases.push(
      `the displayed count ran up to ${i.peakRatio}× the ${i.presentAtPeak} present accounts (${i.peakDisplayed} shown) for ${Math.round(i.sustainedMs / 1000)} s`,
    );
  }
  if (verdict.displayedSteps !== undefined) {
    const s = verdict.displayedSteps;
    phrases.push(`the displayed count rose ${s.steps} times by ~${s.stepSize} while present accounts rose by ${s.presentRiseTotal} in all`);
  }
  if (verdict.joinSteps !== undefined) {
    const j = verdict.joinSteps;
    phrases.push(`${j.bursts.length} join bursts of ~${j.stepSize} accounts came every ~${Math.round(j.meanIntervalMs / 1000)} s`);
  }
  if (verdict.cohorts.length > 0) {
    const largest = [...verdict.cohorts].sort((a, b) => b.signals.length - a.signals.length || b.members - a.members)[0];
    phrases.push(
      `${verdict.flaggedAccounts.length} accounts in ${verdict.cohorts.length} cohort(s) ${largest.signals.map((s) => SIGNAL_WORDS[s]).join(', ')}`,
    );
  }
  const summary = `Stream ${stream.streamId} of room ${stream.roomId} shows injected viewers: ${phrases.join('; ')}.`;
  const cohorts = [...verdict.cohorts]
    .sort((a, b) => b.score - a.score || b.members - a.members || (a.group < b.group ? -1 : 1))
    .slice(0, caps.samples);
  return {
    kind: 'injected_viewers',
    subjectType: 'room',
    subjectId: stream.roomId,
    score: verdict.score,
    severity: severityOf(verdict.score, config.severity),
    summary,
    accounts: verdict.flaggedAccounts.slice(0, caps.accountsListed),
    evidence: {
      displayedInflation: verdict.inflation ?? null,
      displayedSteps: verdict.displayedSteps ?? null,
      joinSteps:
        verdict.joinSteps === undefined
          ? null
          : { ...verdict.joinSteps, totalBursts: verdict.joinSteps.bursts.length, bursts: verdict.joinSteps.bursts.slice(0, caps.samples) },
      cohorts: cohorts.map(describeCohort),
      cohortsTotal: verdict.cohorts.length,
      cohortAccountsTotal: verdict.flaggedAccounts.length,
      accountsListed: Math.min(caps.accountsListed, verdict.flaggedAccounts.length),
    } satisfies InjectedViewersRoomEvidence,
  };
}

export function buildAccountFinding(
  stream: StreamView,
  config: InjectedViewersConfig,
  profile: ViewerProfile,
  cohorts: readonly CohortVerdict[],
  at: number,
  link?: DeviceLink,
): FindingDraft {
  const flagged = cohorts.filter((c) => c.flagged);
  // An inherited verdict rests on one link more than a member's own: a little less sure.
  const score = combineScores(flagged.map((c) => c.score * (link === undefined ? 0.9 : 0.8)));
  const signals = [...new Set(flagged.flatMap((c) => c.signals))];
  const via = link === undefined ? '' : ` through device ${link.deviceId}, shared with flagged account ${link.account}; it never commented or ordered and watched ${Math.round(link.watchedMs / 60_000)} min`;
  return {
    kind: 'injected_viewers',
    subjectType: 'account',
    subjectId: profile.accountId,
    score,
    severity: severityOf(score, config.severity),
    summary: `Account ${profile.accountId} belongs to a viewer cohort in room ${stream.roomId} that ${signals.map((s) => SIGNAL_WORDS[s]).join(', ')}${via}.`,
    accounts: [profile.accountId],
    evidence: {
      cohorts: flagged.slice(0, config.caps.samples).map((c) => ({ group: c.group, kind: c.kind, members: c.members, signals: c.signals })),
      joinedAt: profile.firstJoinedAt,
      accountCreatedAt: profile.createdAt >= 0 ? profile.createdAt : null,
      accountAgeDaysAtJoin: profile.createdAt >= 0 ? Math.round(((profile.firstJoinedAt - profile.createdAt) / 86_400_000) * 100) / 100 : null,
      deviceId: profile.deviceId ?? null,
      deviceModel: profile.model ?? null,
      os: profile.os ?? null,
      emulator: profile.emulator,
      rooted: profile.rooted,
      subnet: profile.subnet ?? null,
      interactions: interactions(profile),
      presentAtDecision: profile.present,
      decidedAt: at,
      ...(link === undefined ? {} : { linkedThroughDevice: { ...link } }),
    } satisfies InjectedViewersAccountEvidence,
  };
}
