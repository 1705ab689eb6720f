import type { ViewerProfile } from './viewer-profile.js';

/**
 * Who a group of accounts is, in figures a reviewer can check: how young, how
 * co-created, how much hardware and network they share. Detectors compare
 * these figures with their own thresholds; this module only measures.
 */
export interface CohortIdentity {
  members: number;
  /** Members whose creation time the platform reported. */
  withCreationTime: number;
  /** Share of members (with a creation time) younger than the age limit at their first join. */
  youngShare: number;
  medianAgeDays: number | null;
  /** Largest share of members (with a creation time) created inside one span of `coCreatedSpanMs`. */
  coCreatedShare: number;
  coCreatedFrom: number | null;
  coCreatedTo: number | null;
  /** Share of members using a device id that another member also uses. */
  sharedDeviceShare: number;
  /** Share of members in a /24 or /64 shared with at least `subnetPeers` - 1 other members. */
  sharedSubnetShare: number;
  /** Share of members on an emulator or a rooted device. */
  emulatorShare: number;
  /** Share of members (with a known model) on the most common model. */
  topModelShare: number;
  withModel: number;
  topModel: string | null;
  sharedDevices: Array<{ deviceId: string; accounts: number }>;
  sharedSubnets: Array<{ subnet: string; accounts: number }>;
  /** Full sets behind the listed samples, for judging members one by one (not for evidence). */
  sharedDeviceIds: ReadonlySet<string>;
  crowdedSubnets: ReadonlySet<string>;
  /** Models at least `tamperedModelPeers` members run as emulators or rooted: the cohort's build, flagged or not on each phone. */
  tamperedModels: ReadonlySet<string>;
}

export interface IdentityLimits {
  youngAccountMaxAgeMs: number;
  coCreatedSpanMs: number;
  subnetPeers: number;
  /** Tampered members on one model that make it the cohort's build. */
  tamperedModelPeers: number;
  maxListed: number;
}

export function measureCohortIdentity(members: readonly ViewerProfile[], limits: IdentityLimits): CohortIdentity {
  const n = members.length;
  const created: number[] = [];
  const ages: number[] = [];
  let young = 0;
  let emulators = 0;
  let withModel = 0;
  const devices = new Map<string, number>();
  const subnets = new Map<string, number>();
  const models = new Map<string, number>();
  const tamperedByModel = new Map<string, number>();
  for (const member of members) {
    if (member.createdAt >= 0) {
      created.push(member.createdAt);
      const age = member.firstJoinedAt - member.createdAt;
      ages.push(age);
      if (age <= limits.youngAccountMaxAgeMs) young += 1;
    }
    if (member.emulator || member.rooted) {
      emulators += 1;
      if (member.model !== undefined) tamperedByModel.set(member.model, (tamperedByModel.get(member.model) ?? 0) + 1);
    }
    if (member.deviceId !== undefined) devices.set(member.deviceId, (devices.get(member.deviceId) ?? 0) + 1);
    if (member.subnet !== undefined) subnets.set(member.subnet, (subnets.get(member.subnet) ?? 0) + 1);
    if (member.model !== undefined) {
      withModel += 1;
      // Keyed by the model string itself (no concatenation: its hash is cached, this runs per member).
      models.set(member.model, (models.get(member.model) ?? 0) + 1);
    }
  }
  created.sort((a, b) => a - b);
  ages.sort((a, b) => a - b);
  let best = 0;
  let bestFrom: number | null = null;
  let bestTo: number | null = null;
  for (let lo = 0, hi = 0; hi < created.length; hi++) {
    while (created[hi] - created[lo] > limits.coCreatedSpanMs) lo++;
    if (hi - lo + 1 > best) {
      best = hi - lo + 1;
      bestFrom = created[lo];
      bestTo = created[hi];
    }
  }
  let sharedDeviceMembers = 0;
  const sharedDevices: Array<{ deviceId: string; accounts: number }> = [];
  for (const [deviceId, count] of devices) {
    if (count >= 2) {
      sharedDeviceMembers += count;
      sharedDevices.push({ deviceId, accounts: count });
    }
  }
  let sharedSubnetMembers = 0;
  const sharedSubnets: Array<{ subnet: string; accounts: number }> = [];
  for (const [subnet, count] of subnets) {
    if (count >= limits.subnetPeers) {
      sharedSubnetMembers += count;
      sharedSubnets.push({ subnet, accounts: count });
    }
  }
  let topModel: string | null = null;
  let topModelCount = 0;
  for (const [model, count] of models) {
    if (count > topModelCount || (count === topModelCount && topModel !== null && model < topModel)) {
      topModel = model;
      topModelCount = count;
    }
  }
  const byCount = <T extends { accounts: number }>(a: T, b: T): number => b.accounts - a.accounts;
  return {
    members: n,
    withCreationTime: created.length,
    youngShare: created.length > 0 ? young / created.length : 0,
    medianAgeDays: ages.length > 0 ? round(ages[ages.length >> 1] / 86_400_000, 2) : null,
    coCreatedShare: created.length > 0 ? best / created.length : 0,
    coCreatedFrom: bestFrom,
    coCreatedTo: bestTo,
    sharedDeviceShare: n > 0 ? sharedDeviceMembers / n : 0,
    sharedSubnetShare: n > 0 ? sharedSubnetMembers / n : 0,
    emulatorShare: n > 0 ? emulators / n : 0,
    topModelShare: withModel > 0 ? topModelCount / withModel : 0,
    withModel,
    topModel,
    sharedDevices: [...sharedDevices].sort(byCount).slice(0, limits.maxListed),
    sharedSubnets: [...sharedSubnets].sort(byCount).slice(0, limits.maxListed),
    sharedDeviceIds: new Set(sharedDevices.map((d) => d.deviceId)),
    crowdedSubnets: new Set(sharedSubnets.map((s) => s.subnet)),
    tamperedModels: new Set([...tamperedByModel].filter(([, count]) => count >= limits.tamperedModelPeers).map(([model]) => model)),
  };
}

/** Whether one member carries the cohort's origin signal itself: young, or created inside the co-created span. */
export function memberIsYoungOrCoCreated(member: ViewerProfile, identity: CohortIdentity, youngAccountMaxAgeMs: number): boolean {
  if (member.createdAt < 0) return false;
  if (member.firstJoinedAt - member.createdAt <= youngAccountMaxAgeMs) return true;
  return identity.coCreatedFrom !== null && identity.coCreatedTo !== null && member.createdAt >= identity.coCreatedFrom && member.createdAt <= identity.coCreatedTo;
}

/** Whether one member carries the cohort's infrastructure signal itself: its hardware or its network. */
export function memberSharesInfrastructure(member: ViewerProfile, identity: CohortIdentity, modelCounts: boolean): boolean {
  return memberSharesHardware(member, identity, modelCounts) || memberSharesNetwork(member, identity);
}

/**
 * Whether one member is on the cohort's hardware: a tampered device, a
 * handset another member uses, the cohort's one model, or the model of its
 * tampered phones (a farm's image of one model is not caught as rooted on
 * every phone: root checks miss hidden root and some images).
 */
export function memberSharesHardware(member: ViewerProfile, identity: CohortIdentity, modelCounts: boolean): boolean {
  if (member.emulator || member.rooted) return true;
  if (member.deviceId !== undefined && identity.sharedDeviceIds.has(member.deviceId)) return true;
  if (member.model !== undefined && identity.tamperedModels.has(member.model)) return true;
  if (modelCounts && member.model !== undefined && identity.topModel !== null) return member.model === identity.topModel;
  return false;
}

/** Whether one member is on one of the cohort's crowded subnets. */
export function memberSharesNetwork(member: ViewerProfile, identity: CohortIdentity): boolean {
  return member.subnet !== undefined && identity.crowdedSubnets.has(member.subnet);
}

/** Who a cohort is: account age and shared hardware and networks. Shared by both room detectors' evidence. */
export interface CohortIdentityEvidence {
  accountAge: {
    withCreationTime: number;
    youngShare: number;
    medianAgeDays: number | null;
    coCreatedShare: number;
    coCreatedFrom: number | null;
    coCreatedTo: number | null;
  };
  infrastructure: {
    sharedDeviceShare: number;
    sharedSubnetShare: number;
    emulatorShare: number;
    topModel: string | null;
    topModelShare: number;
    sharedDevices: Array<{ deviceId: string; accounts: number }>;
    sharedSubnets: Array<{ subnet: string; accounts: number }>;
  };
}

export function describeIdentity(id: CohortIdentity): CohortIdentityEvidence {
  return {
    accountAge: {
      withCreationTime: id.withCreationTime,
      youngShare: round(id.youngShare),
      medianAgeDays: id.medianAgeDays,
      coCreatedShare: round(id.coCreatedShare),
      coCreatedFrom: id.coCreatedFrom,
      coCreatedTo: id.coCreatedTo,
    },
    infrastructure: {
      sharedDeviceShare: round(id.sharedDeviceShare),
      sharedSubnetShare: round(id.sharedSubnetShare),
      emulatorShare: round(id.emulatorShare),
      topModel: id.topModel,
      topModelShare: round(id.topModelShare),
      sharedDevices: id.sharedDevices,
      sharedSubnets: id.sharedSubnets,
    },
  };
}

export function round(value: number, digits = 3): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
