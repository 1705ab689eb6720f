import type { RoomEvent } from '../../../events/event.schema.js';
import type { Finding } from '../../engine/finding.js';
import { DAY, T0, honestCrowd, honestIdentity, rng, roomFindings, runEngine, RoomTraffic, withHonestCounts, type JoinOptions } from '../../../../test/support/detection/traffic.js';

/**
 * The cross-room tie (issue 10, aged farms): a farm returns whole, on the
 * hardware it always runs on. The rooms here run one after the other on one
 * engine, so the first room is judged before the second is seen.
 */

const MIN = 60_000;
const ROOM_MS = 50 * MIN;

interface Visitor {
  accountId: string;
  identity: JoinOptions;
}

/**
 * Aged accounts (two years old, created months apart) each on its own
 * emulator instance, each on its own network: nothing but the emulator and
 * their silence ties them within a room.
 */
function emulatorPool(size: number, seed: number): Visitor[] {
  const random = rng(seed);
  return Array.from({ length: size }, (_, i) => ({
    accountId: `pool-${i}`,
    identity: {
      createdAt: T0 - (600 + Math.floor(random() * 150)) * DAY,
      model: 'SM-G9810',
      os: 'Android 9',
      emulator: true,
      deviceId: `pool-dev-${i}`,
      ip: `${30 + i}.${Math.floor(random() * 250)}.${Math.floor(random() * 250)}.${2 + i}`,
    },
  }));
}

/** Fans on their own phones and networks, long-standing accounts. */
function fans(size: number, seed: number): Visitor[] {
  const random = rng(seed);
  return Array.from({ length: size }, (_, i) => ({ accountId: `fan-club-${i}`, identity: honestIdentity(random, T0) }));
}

/** One room: an honest crowd, and `visitors` each joining at `joinAt(i)` and watching `watchMs(i)` silently. */
function room(index: number, visitors: readonly Visitor[], joinAt: (i: number, start: number) => number, watchMs: (i: number) => number): RoomEvent[] {
  const start = T0 + index * (ROOM_MS + 10 * MIN);
  const traffic = new RoomTraffic(`room-${'abc'[index]}`, `room-${'abc'[index]}-s1`).start(start);
  honestCrowd(traffic, { prefix: `room-${index}-fan`, viewers: 150, from: start, to: start + ROOM_MS - 5 * MIN, endAt: start + ROOM_MS, seed: 70 + index, commentShare: 0.2 });
  visitors.forEach((visitor, i) => {
    const at = joinAt(i, start);
    traffic.join(visitor.accountId, at, visitor.identity);
    const leaveAt = at + watchMs(i);
    if (leaveAt < start + ROOM_MS - 1) traffic.leave(visitor.accountId, leaveAt);
  });
  traffic.end(start + ROOM_MS);
  return withHonestCounts(traffic);
}

function inRoom(findings: readonly Finding[], roomId: string): Finding | undefined {
  return roomFindings(findings, 'injected_viewers').find((f) => f.roomId === roomId);
}

interface CohortEvidence {
  signals: string[];
  members: number;
  otherRooms: Array<{ roomId: string; sharedAccounts: number }>;
}

describe('the cross-room tie', () => {
  // Spread over half an hour, each watching 10–20 min and leaving on its own timer: no batch, nothing young.
  const trickle = (i: number, start: number): number => start + 2 * MIN + i * 25_000;
  const ownTimer = (i: number): number => (10 + ((i * 7) % 10)) * MIN;

  it('flags a farm that returns whole to a second room on the hardware it ran on in the first', () => {
    // In the first room a dozen accounts come early and the rest a quarter of an hour later: the group is sighted
    // when the dozen have settled, and again once it has grown.
    const pool = emulatorPool(56, 1);
    const second = pool.filter((_, i) => i % 8 !== 0);
    const twoWaves = (i: number, start: number): number => (i < 12 ? trickle(i, start) : start + 20 * MIN + (i - 12) * 25_000);
    const events = [...room(0, pool, twoWaves, ownTimer), ...room(1, second, trickle, ownTimer)];

    const { findings } = runEngine(events);

    // The first room shows emulators and silence only: two families, no verdict.
    expect(inRoom(findings, 'room-a')).toBeUndefined();
    const verdict = inRoom(findings, 'room-b');
    expect(verdict).toBeDefined();
    const cohort = (verdict?.evidence.cohorts as CohortEvidence[]).find((c) => c.signals.includes('seenInOtherRooms'));
    expect(cohort?.otherRooms.map((m) => m.roomId)).toEqual(['room-a']);
    // The first sighting held a dozen accounts: only sighting the group again as it grew shows that the whole farm returned.
    expect(cohort?.otherRooms[0].sharedAccounts).toBeGreaterThanOrEqual(40);
    const named = new Set(verdict?.accounts);
    expect(second.filter((v) => named.has(v.accountId)).length).toBeGreaterThanOrEqual(44);
    expect([...named].filter((id) => id.includes('-fan-'))).toEqual([]);
  });

  it('does not count an earlier room that holds only a part of the group', () => {
    // Room b's emulator cohort is 45 accounts; 15 of them (a third) were in room a.
    const pool = emulatorPool(60, 2);
    const first = pool.slice(0, 30);
    const second = pool.slice(15);
    const events = [...room(0, first, trickle, ownTimer), ...room(1, second, trickle, ownTimer)];

    const { findings } = runEngine(events);

    expect(inRoom(findings, 'room-a')).toBeUndefined();
    expect(inRoom(findings, 'room-b')).toBeUndefined();
  });

  it('keeps fans who follow a celebrity from room to room clean', () => {
    // The same 30 fans arrive within seconds of the guest in three rooms, watch silently and stay: they return whole,
    // but each on their own phone and network, as people do.
    const club = fans(30, 3);
    const wave = (i: number, start: number): number => start + 8 * MIN + i * 500;
    const events = [0, 1, 2].flatMap((index) => room(index, club, wave, () => 30 * MIN));

    const { findings } = runEngine(events);

    expect(roomFindings(findings, 'injected_viewers')).toEqual([]);
  });
});
