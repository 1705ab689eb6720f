import { judgeRing, type RingCandidate, stoodDownRingFinding } from './account-ring.detector.js';
import { DEFAULT_RING_CONFIG } from './ring.config.js';
import { RARITY_SCALE, identifierWeight, linkedSets, strongLinks, type WeighedIdentifier } from './ring-graph.js';
import { identifierSightings } from './ring-identifiers.js';

const T0 = Date.UTC(2026, 10, 20, 11);
type Identifier = WeighedIdentifier & { accounts: string[] };
const shared = (kind: WeighedIdentifier['kind'], value: string, accounts: string[], users = accounts.length): Identifier => ({ kind, value, users, accounts });
const names = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(2, '0')}`);

/** An operator's accounts: handsets of `perPhone` accounts each, one wallet and one proxy network for all. */
function operator(prefix: string, accounts: number, perPhone: number): { members: string[]; identifiers: Identifier[] } {
  const members = names(prefix, accounts);
  const identifiers: Identifier[] = [shared('payment', `${prefix}-wallet`, members), shared('subnet', `${prefix}-proxy`, members)];
  for (let phone = 0; phone * perPhone < accounts; phone++) identifiers.push(shared('device', `${prefix}-phone-${phone}`, members.slice(phone * perPhone, (phone + 1) * perPhone)));
  return { members, identifiers };
}

function candidate(members: string[], identifiers: Identifier[], extra: Partial<RingCandidate> = {}): RingCandidate {
  return { ringId: 'ring-1', members, links: strongLinks(identifiers, DEFAULT_RING_CONFIG), identifiers, registrations: [], caught: [], presence: [], absorbed: [], asOf: T0, ...extra };
}

describe('linked-account rings', () => {
  it('weighs an identifier by how many accounts share it: near 1 when rare, near 0 when everybody has it', () => {
    expect(identifierWeight({ users: 1 })).toBe(1);
    expect(identifierWeight({ users: 3 })).toBeGreaterThan(0.85);
    expect(identifierWeight({ users: 5_000 })).toBeLessThan(0.25);
    expect(identifierWeight({ users: RARITY_SCALE })).toBe(0);
  });

  it('reads the identifiers of an order, a sign-up and a join, an address and its network as one family', () => {
    const kinds = identifierSightings({
      id: 'o1', type: 'order.placed', roomId: 'r', streamId: 's', ts: T0, accountId: 'a', orderId: 'o', skuId: 'k', quantity: 1, unitPrice: 100, listPrice: 100, currency: 'CNY',
      phoneHash: 'p', addressHash: 'ad', recipientHash: 'rc', paymentAccountHash: 'pay', deviceId: 'd', ip: '10.1.2.3',
    }).map((sighting) => `${sighting.kind}=${sighting.value}`);
    expect(kinds.sort()).toEqual(['address=ad', 'device=d', 'ip=10.1.2.3', 'payment=pay', 'phone=p', 'recipient=rc', 'subnet=10.1.2.0/24'].sort());
    expect(identifierSightings({ id: 'r1', type: 'account.registered', ts: T0, accountId: 'a', phoneHash: 'p' }).map((s) => s.kind)).toEqual(['phone']);
  });

  it('does not link coworkers on one office wifi who ship to the office, nor strangers on a carrier NAT and a parcel locker', () => {
    const office = names('office', 30);
    expect(strongLinks([shared('ip', 'office-ip', office), shared('subnet', 'office-net', office), shared('address', 'office-address', office)], DEFAULT_RING_CONFIG)).toEqual([]);
    const strangers = names('stranger', 2);
    expect(strongLinks([shared('ip', 'nat', strangers, 400), shared('address', 'locker', strangers, 120)], DEFAULT_RING_CONFIG)).toEqual([]);
  });

  it('links a household on one router and one address, and leaves it clean: a family is no ring', () => {
    const family = names('family', 4);
    const identifiers = [shared('ip', 'home-ip', family), shared('address', 'home', family), shared('device', 'tablet', family.slice(0, 2)), shared('payment', 'mum-card', family)];
    const links = strongLinks(identifiers, DEFAULT_RING_CONFIG);
    expect(links).toHaveLength(6);
    expect(linkedSets(links)).toEqual([family]);
    expect(judgeRing(candidate(family, identifiers), DEFAULT_RING_CONFIG).finding).toBeNull();
  });

  it('reports an operator on shared handsets and one wallet whose accounts signed up in one burst', () => {
    const { members, identifiers } = operator('op', 12, 4);
    const registrations = members.map((accountId, i) => ({ accountId, registeredAt: T0 - 3 * 86_400_000 + i * 20_000, deviceId: `op-phone-${i >> 2}`, channel: 'invite', clonedApp: true }));
    const verdict = judgeRing(candidate(members, identifiers, { registrations }), DEFAULT_RING_CONFIG);
    expect(verdict.finding?.accounts).toEqual(members);
    expect(verdict.finding?.subjectType).toBe('ring');
    expect(verdict.evidence?.signals).toEqual(expect.arrayContaining(['dense_links', 'registration_burst', 'shared_payment']));
    expect(verdict.evidence?.registrationBurst?.registered).toHaveLength(12);
    expect(verdict.evidence?.registrationBurst?.devices).toBe(3);
  });

  it('stands a reported ring down, scored low with the reason, once what its accounts shared turns out common', () => {
    const { members, identifiers } = operator('op', 12, 4);
    const registrations = members.map((accountId, i) => ({ accountId, registeredAt: T0 + i * 20_000, deviceId: null, channel: null, clonedApp: false }));
    const reported = judgeRing(candidate(members, identifiers, { registrations }), DEFAULT_RING_CONFIG).finding!;
    // The wallet and the proxy network turn out to be a payment processor's and a carrier's: 20,000 users each.
    const common = identifiers.map((identifier) => (identifier.kind === 'device' ? identifier : { ...identifier, users: 20_000 }));
    expect(judgeRing(candidate(members, common, { registrations }), DEFAULT_RING_CONFIG).finding).toBeNull();

    const stoodDown = stoodDownRingFinding(reported, { members: 4, at: T0 + 3_600_000 }, DEFAULT_RING_CONFIG);
    expect(stoodDown).toMatchObject({ kind: 'account_ring', subjectId: reported.subjectId, score: 0.1, severity: 'low', accounts: reported.accounts });
    expect(stoodDown.summary).toMatch(/^No longer holds as one operator's ring: 4 of its accounts are still linked/);
    expect(stoodDown.evidence).toMatchObject({ signals: reported.evidence.signals, stoodDown: { at: T0 + 3_600_000, membersLinked: 4 } });
  });

  it('wants a corroborating sign besides dense links: a dense set with no burst, wallet, catch or synchronised entries stays unreported', () => {
    const members = names('dorm', 6);
    const identifiers = [shared('ip', 'dorm-ip', members), shared('address', 'dorm-room', members), shared('recipient', 'dorm-name', members)];
    expect(judgeRing(candidate(members, identifiers), DEFAULT_RING_CONFIG).finding).toBeNull();
    const presence = ['s1', 's2'].flatMap((streamId, room) => members.slice(0, 4).map((accountId, i) => ({ accountId, roomId: `room-${room}`, streamId, firstTs: T0 + room * 3_600_000 + i * 5_000 })));
    expect(judgeRing(candidate(members, identifiers, { presence }), DEFAULT_RING_CONFIG).evidence?.signals).toContain('synchronised_rooms');
  });

  it('does not report a chain of households tied one to the next: fewer links than a ring needs per member', () => {
    const identifiers: Identifier[] = [];
    const members = names('h', 10);
    for (let i = 0; i + 1 < members.length; i++) identifiers.push(shared('ip', `ip-${i}`, [members[i]!, members[i + 1]!]), shared('address', `ad-${i}`, [members[i]!, members[i + 1]!]));
    const caught = members.map((accountId) => ({ accountId, kind: 'refund_brushing' as const, roomId: 'r', streamId: 's' }));
    expect(linkedSets(strongLinks(identifiers, DEFAULT_RING_CONFIG))).toEqual([members]);
    expect(judgeRing(candidate(members, identifiers, { caught }), DEFAULT_RING_CONFIG).finding).toBeNull();
  });
});
