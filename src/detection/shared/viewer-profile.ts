import type { RoomEvent } from '../../events/event.schema.js';
import { subnetOf } from './network.js';

/**
 * What the engine knows about one account in one stream: identity signals
 * from its joins, presence, and how much it interacted. Shared by every
 * detector so each account is stored once per stream. Kept flat and small
 * (a dozen fields) because there is one per concurrent viewer.
 */
export interface ViewerProfile {
  readonly accountId: string;
  firstJoinedAt: number;
  /** Event time the account left, or -1 while present. */
  leftAt: number;
  present: boolean;
  joins: number;
  /** Account creation time from viewer.joined, or -1 when the platform did not say. */
  createdAt: number;
  model: string | undefined;
  os: string | undefined;
  emulator: boolean;
  rooted: boolean;
  deviceId: string | undefined;
  subnet: string | undefined;
  /** Likes, comments and orders: any of them is a sign that a person is behind the account. */
  interactionCount: number;
  /** Comments and orders only: likes are a tap that control software performs on every phone at once. */
  talkCount: number;
  /**
   * Event time at which a scripted-comments verdict named this account, or
   * -1: its talk is the script's, not a person's (see `stream-board.ts`).
   */
  scriptedAt: number;
}

export function newViewerProfile(accountId: string, ts: number): ViewerProfile {
  return {
    accountId,
    firstJoinedAt: ts,
    leftAt: -1,
    present: false,
    joins: 0,
    createdAt: -1,
    model: undefined,
    os: undefined,
    emulator: false,
    rooted: false,
    deviceId: undefined,
    subnet: undefined,
    interactionCount: 0,
    talkCount: 0,
    scriptedAt: -1,
  };
}

/** Any like, comment or order: a sign that a person is behind the account. */
export function interactions(profile: ViewerProfile): number {
  return profile.interactionCount;
}

/**
 * Whether a scripted-comments verdict named the account strictly before
 * `at`. Strictly: a note left at the same event time is seen by no detector,
 * whatever order the engine runs them in, so verdicts do not depend on it.
 */
export function scriptedBefore(profile: ViewerProfile, at: number): boolean {
  return profile.scriptedAt >= 0 && profile.scriptedAt < at;
}

/** Talked (commented or ordered) as a person: talk a scripted-comments verdict named before `at` is the script's. */
export function talkedBefore(profile: ViewerProfile, at: number): boolean {
  return profile.talkCount > 0 && !scriptedBefore(profile, at);
}

/**
 * Folds one account event into the profile. Returns the change in presence
 * (+1 joined, -1 left, 0 otherwise) so the stream can keep its present count.
 */
export function applyToProfile(profile: ViewerProfile, event: RoomEvent): number {
  if (event.deviceId !== undefined) profile.deviceId = event.deviceId;
  if (event.ip !== undefined) profile.subnet = subnetOf(event.ip) ?? profile.subnet;
  let presence = 0;
  // An account that likes or comments without a join we saw is in the room all the same.
  if (event.type !== 'viewer.left' && !profile.present && profile.leftAt === -1) {
    profile.present = true;
    presence = 1;
  }
  switch (event.type) {
    case 'viewer.joined':
      profile.joins += 1;
      if (profile.joins === 1 || event.ts < profile.firstJoinedAt) profile.firstJoinedAt = event.ts;
      if (event.accountCreatedAt !== undefined) profile.createdAt = event.accountCreatedAt;
      if (event.device !== undefined) {
        profile.model = intern(event.device.model) ?? profile.model;
        profile.os = intern(event.device.os) ?? profile.os;
        profile.emulator = event.device.emulator === true || profile.emulator;
        profile.rooted = event.device.rooted === true || profile.rooted;
      }
      if (!profile.present) {
        profile.present = true;
        presence += 1;
      }
      profile.leftAt = -1;
      break;
    case 'viewer.left':
      if (profile.present) {
        profile.present = false;
        profile.leftAt = event.ts;
        presence = -1;
      }
      break;
    case 'like':
      profile.interactionCount += 1;
      break;
    case 'comment':
    case 'order.placed':
      profile.interactionCount += 1;
      profile.talkCount += 1;
      break;
    default:
      break;
  }
  return presence;
}

/**
 * Device models and OS names repeat across millions of viewers, but every
 * parsed event carries its own copy: keep one. Bounded, so a flood of junk
 * values cannot grow it without limit (they are then simply not shared).
 */
const interned = new Map<string, string>();
const MAX_INTERNED = 20_000;

function intern(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const known = interned.get(value);
  if (known !== undefined) return known;
  if (interned.size < MAX_INTERNED) interned.set(value, value);
  return value;
}
