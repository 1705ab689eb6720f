import type { FindingDraft, StreamView } from '../../engine/detector.js';
import type { CohortIdentityEvidence } from '../../shared/cohort-identity.js';
import { combineScores, round3, severityOf } from '../../shared/scoring.js';
import type { ViewerProfile } from '../../shared/viewer-profile.js';
import type { ScriptedCommentsConfig } from './scripted-comments.config.js';

/** What binds a comment cohort: one template, lockstep post times, or machine-regular rhythms. */
/** What an account's findings say of its posting rhythm: its count and interval moments. */
export interface CommenterTiming {
  posts: number;
  /** Welford running moments of the intervals between posts. */
  intervals: number;
  intervalMean: number;
  intervalM2: number;
  /** Most posts this account made into one template cluster. */
  topTemplateRepeats: number;
}

export type CohortKind = 'template' | 'lockstep' | 'periodic';
/** Independent signals about who posts. */
export type WhoSignal =
  | 'youngOrCoCreated'
  | 'sharedDevices'
  | 'sharedInfrastructure'
  | 'lockstepTiming'
  | 'regularTiming'
  | 'sharedCadence'
  | 'clockedPosts'
  | 'turnTaking';

export interface CommentCohortVerdict {
  cohort: string;
  kind: CohortKind;
  flagged: boolean;
  score: number;
  who: WhoSignal[];
  accounts: string[];
  accountsTotal: number;
  posts: number | null;
  template: string | null;
  samples: string[];
  firstAt: number | null;
  lastAt: number | null;
  syncedShare: number;
  periodicShare: number;
  /** Members regular enough for a cohort (looser than `periodicShare`'s rule), above the room's posting floor. */
  regularShare: number;
  /** The members' shared timer period, and how many share it (null/0: none at independent phases). */
  cadencePeriodMs: number | null;
  cadenceAccounts: number;
  /** The template's clock (median gap between its posts) and the accounts that posted on it. */
  clockGapMs: number | null;
  onClockAccounts: number;
  /** Accounts per round of a turn-taking rotation, and accounts seen taking turns. */
  rotationLength: number | null;
  rotationAccounts: number;
  repeaterShare: number;
  /** Who the members are, as the evidence shows it (the per-member sets stay with the assessment). */
  identity: CohortIdentityEvidence;
}

const WHO_WORDS: Record<WhoSignal, string> = {
  youngOrCoCreated: 'new or co-created accounts',
  sharedDevices: 'several accounts per handset',
  sharedInfrastructure: 'shared networks, emulators or device models',
  lockstepTiming: 'posting in lockstep',
  regularTiming: 'posting at machine-regular intervals',
  sharedCadence: 'one timer setting at independent phases',
  clockedPosts: 'the template posted on a clock',
  turnTaking: 'taking turns in a fixed order',
};

// ---- evidence shapes (times are epoch ms, durations ms, shares 0..1; the console formats them) ----

export interface CommentCohortEvidence extends CohortIdentityEvidence {
  cohort: string;
  kind: CohortKind;
  signals: WhoSignal[];
  score: number;
  accountsTotal: number;
  implicatedAccounts: number;
  sampleAccounts: string[];
  posts: number | null;
  template: string | null;
  sampleTexts: string[];
  firstAt: number | null;
  lastAt: number | null;
  syncedShare: number;
  periodicShare: number;
  regularShare: number;
  cadencePeriodMs: number | null;
  cadenceAccounts: number;
  clockGapMs: number | null;
  onClockAccounts: number;
  rotationLength: number | null;
  rotationAccounts: number;
  repeaterShare: number;
}

export interface ScriptedCommentsRoomEvidence {
  cohorts: CommentCohortEvidence[];
  cohortsTotal: number;
  accountsTotal: number;
  accountsListed: number;
}

/** Why a lone account (no cohort) was named beside its machine-regular timing. */
export type LoneSignal = 'repeatsTemplate' | 'youngAccount' | 'tamperedDevice';

export interface ScriptedCommentsAccountEvidence {
  cohorts: Array<{ cohort: string; kind: CohortKind; signals: WhoSignal[]; accountsTotal: number; sampleTexts: string[] }>;
  loneSignals: LoneSignal[] | null;
  posts: number | null;
  meanIntervalMs: number | null;
  intervalCv: number | null;
  topTemplateRepeats: number | null;
  accountCreatedAt: number | null;
  deviceId: string | null;
  deviceModel: string | null;
  emulator: boolean | null;
  subnet: string | null;
}

function describe(verdict: CommentCohortVerdict, config: ScriptedCommentsConfig): CommentCohortEvidence {
  return {
    cohort: verdict.cohort,
    kind: verdict.kind,
    signals: verdict.who,
    score: verdict.score,
    accountsTotal: verdict.accountsTotal,
    implicatedAccounts: verdict.accounts.length,
    sampleAccounts: verdict.accounts.slice(0, config.caps.samples),
    posts: verdict.posts,
    template: verdict.template,
    sampleTexts: verdict.samples.slice(0, config.caps.samples),
    firstAt: verdict.firstAt,
    lastAt: verdict.lastAt,
    syncedShare: verdict.syncedShare,
    periodicShare: verdict.periodicShare,
    regularShare: verdict.regularShare,
    cadencePeriodMs: verdict.cadencePeriodMs,
    cadenceAccounts: verdict.cadenceAccounts,
    clockGapMs: verdict.clockGapMs,
    onClockAccounts: verdict.onClockAccounts,
    rotationLength: verdict.rotationLength,
    rotationAccounts: verdict.rotationAccounts,
    repeaterShare: verdict.repeaterShare,
    ...verdict.identity,
  };
}

export function buildCommentRoomFinding(
  stream: StreamView,
  config: ScriptedCommentsConfig,
  cohorts: readonly CommentCohortVerdict[],
  accountsTotal: number,
  accounts: readonly string[],
): FindingDraft {
  const ranked = [...cohorts].sort((a, b) => b.score - a.score || b.accountsTotal - a.accountsTotal || (a.cohort < b.cohort ? -1 : 1));
  const top = ranked[0];
  const score = combineScores(ranked.slice(0, 5).map((c) => c.score));
  const what =
    top.kind === 'template'
      ? `${top.accounts.length} of the ${top.accountsTotal} accounts posting one comment template (${top.posts ?? 0} posts, e.g. "${(top.samples[0] ?? '').slice(0, 60)}") are a cohort`
      : top.kind === 'lockstep'
        ? `${top.accounts.length} accounts posted in lockstep`
        : `${top.accounts.length} accounts posted at machine-regular intervals`;
  return {
    kind: 'scripted_comments',
    subjectType: 'room',
    subjectId: stream.roomId,
    score,
    severity: severityOf(score, config.severity),
    summary: `Stream ${stream.streamId} of room ${stream.roomId} carries scripted comments: ${what}, with ${top.who.map((w) => WHO_WORDS[w]).join(' and ')}${ranked.length > 1 ? ` (${ranked.length} cohorts in all)` : ''}.`,
    accounts: accounts.slice(0, config.caps.accountsListed),
    evidence: {
      cohorts: ranked.slice(0, config.caps.samples).map((c) => describe(c, config)),
      cohortsTotal: ranked.length,
      accountsTotal,
      accountsListed: Math.min(accountsTotal, config.caps.accountsListed),
    } satisfies ScriptedCommentsRoomEvidence,
  };
}

export function buildCommentAccountFinding(
  stream: StreamView,
  config: ScriptedCommentsConfig,
  accountId: string,
  profile: ViewerProfile | undefined,
  commenter: CommenterTiming | undefined,
  cohorts: readonly CommentCohortVerdict[],
  loneSignals: LoneSignal[] | undefined,
): FindingDraft {
  const cohortScore = combineScores(cohorts.map((c) => c.score * 0.9));
  const score = loneSignals !== undefined ? Math.min(0.9, 0.45 + 0.15 * loneSignals.length) : cohortScore;
  const intervalCv =
    commenter !== undefined && commenter.intervals > 1
      ? round3(Math.sqrt(commenter.intervalM2 / (commenter.intervals - 1)) / commenter.intervalMean)
      : null;
  const why =
    loneSignals !== undefined
      ? `posts at near-fixed intervals of ~${Math.round((commenter?.intervalMean ?? 0) / 1000)} s (${loneSignals.join(', ')})`
      : `belongs to ${cohorts.length} scripted comment cohort(s) with ${[...new Set(cohorts.flatMap((c) => c.who))].map((w) => WHO_WORDS[w]).join(' and ')}`;
  return {
    kind: 'scripted_comments',
    subjectType: 'account',
    subjectId: accountId,
    score: round3(score),
    severity: severityOf(score, config.severity),
    summary: `Account ${accountId} in room ${stream.roomId} ${why}.`,
    accounts: [accountId],
    evidence: {
      cohorts: cohorts.slice(0, config.caps.samples).map((c) => ({
        cohort: c.cohort,
        kind: c.kind,
        signals: c.who,
        accountsTotal: c.accountsTotal,
        sampleTexts: c.samples.slice(0, 3),
      })),
      loneSignals: loneSignals ?? null,
      posts: commenter?.posts ?? null,
      meanIntervalMs: commenter !== undefined && commenter.intervals > 0 ? Math.round(commenter.intervalMean) : null,
      intervalCv,
      topTemplateRepeats: commenter?.topTemplateRepeats ?? null,
      accountCreatedAt: profile !== undefined && profile.createdAt >= 0 ? profile.createdAt : null,
      deviceId: profile?.deviceId ?? null,
      deviceModel: profile?.model ?? null,
      emulator: profile?.emulator ?? null,
      subnet: profile?.subnet ?? null,
    } satisfies ScriptedCommentsAccountEvidence,
  };
}
