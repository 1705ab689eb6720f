import type { DeviceInfo } from '../../src/events/event.schema.js';
import { broadbandIp, carrierNatIp, mobileIpv6, pickHandset, type Locale } from './catalog.js';
import type { Rng } from './prng.js';

/** One platform account as the simulated platform knows it. */
export interface SimAccount {
  accountId: string;
  createdAt: number;
  deviceId: string;
  device: DeviceInfo;
  ip: string;
  phoneHash: string;
  addressHash: string;
  /** How much this person interacts when watching: 0 lurks, 1 chats and taps constantly. */
  engagement: number;
}

const DAY = 86_400_000;

/**
 * Hands out account, device and hash ids that look alike for honest viewers
 * and attackers (nothing in an id tells them apart) and never collide.
 */
export class IdRegistry {
  constructor(
    private readonly rng: Rng,
    private readonly used = new Set<string>(),
  ) {}

  /**
   * A registry drawing from its own `rng` but never handing out an id this
   * one did (or will): new kinds of accounts get ids without shifting the
   * draws of everything generated before them.
   */
  branch(rng: Rng): IdRegistry {
    return new IdRegistry(rng, this.used);
  }

  accountId(): string {
    return this.unique(() => `${this.rng.digits(11)}`);
  }

  deviceId(): string {
    return this.unique(() => this.rng.hex(16));
  }

  phoneHash(): string {
    return this.unique(() => `ph_${this.rng.hex(20)}`);
  }

  /** Per-stream prefix of platform order numbers. */
  orderPrefix(): string {
    return this.unique(() => this.rng.digits(12));
  }

  addressHash(): string {
    return this.unique(() => `ad_${this.rng.hex(20)}`);
  }

  private unique(make: () => string): string {
    for (;;) {
      const candidate = make();
      if (!this.used.has(candidate)) {
        this.used.add(candidate);
        return candidate;
      }
    }
  }
}

/**
 * Account ages of real viewers: spread over years, with a real minority of
 * brand-new accounts (people do sign up tonight).
 */
export function organicCreatedAt(rng: Rng, now: number): number {
  const roll = rng.next();
  let ageDays: number;
  if (roll < 0.006) ageDays = rng.uniform(0.02, 1);
  else if (roll < 0.04) ageDays = rng.uniform(1, 30);
  else if (roll < 0.12) ageDays = rng.uniform(30, 180);
  else ageDays = Math.min(3650, rng.lognormal(900, 0.7));
  return Math.round(now - ageDays * DAY - rng.uniform(0, DAY));
}

/** Wifi household: several family accounts behind one router and one delivery address. */
export interface Household {
  ip: string;
  addressHash: string;
  sharedDevice?: { deviceId: string; device: DeviceInfo };
}

export class OrganicPopulation {
  private readonly households: Household[] = [];

  constructor(
    private readonly rng: Rng,
    private readonly ids: IdRegistry,
    private readonly now: number,
  ) {}

  /**
   * A real person on their own phone whose network (and maybe age, address
   * or device) is fixed by where they watch from: an office NAT, a campus, a
   * family router, a carrier's shared address.
   */
  person(locale: Locale, fixed: { ip: string; createdAt?: number; addressHash?: string; hardware?: { deviceId: string; device: DeviceInfo }; engagement?: number }): SimAccount {
    const rng = this.rng;
    const handset = pickHandset(rng, locale);
    const hardware = fixed.hardware ?? {
      deviceId: this.ids.deviceId(),
      device: { model: handset.model, os: rng.pick(handset.os), emulator: false, rooted: !handset.model.startsWith('iPhone') && rng.chance(0.015) },
    };
    return {
      accountId: this.ids.accountId(),
      createdAt: Math.round(fixed.createdAt ?? organicCreatedAt(rng, this.now)),
      deviceId: hardware.deviceId,
      device: hardware.device,
      ip: fixed.ip,
      phoneHash: this.ids.phoneHash(),
      addressHash: fixed.addressHash ?? this.ids.addressHash(),
      engagement: fixed.engagement ?? (rng.next() < 0.5 ? rng.uniform(0, 0.1) : Math.min(1, rng.pareto(0.15, 1.6))),
    };
  }

  /** A new device id for hardware a group shares (the family tablet). */
  sharedHardware(locale: Locale): { deviceId: string; device: DeviceInfo } {
    const handset = pickHandset(this.rng, locale);
    return { deviceId: this.ids.deviceId(), device: { model: handset.model, os: this.rng.pick(handset.os), emulator: false, rooted: false } };
  }

  newAddress(): string {
    return this.ids.addressHash();
  }

  create(locale: Locale, options: { newcomerBias?: boolean } = {}): SimAccount {
    const rng = this.rng;
    const handset = pickHandset(rng, locale);
    const device: DeviceInfo = {
      model: handset.model,
      os: rng.pick(handset.os),
      emulator: rng.chance(0.002),
      rooted: !handset.model.startsWith('iPhone') && rng.chance(0.015),
    };
    let createdAt = organicCreatedAt(rng, this.now);
    // A recommendation surge brings people who joined the platform recently.
    if (options.newcomerBias && rng.chance(0.2)) createdAt = Math.round(this.now - rng.uniform(0.05, 90) * DAY);

    let ip: string;
    let addressHash = this.ids.addressHash();
    let deviceId = this.ids.deviceId();
    let accountDevice = device;
    const network = rng.next();
    if (network < 0.08 && this.households.length > 0) {
      // Joins an existing household: same router, same address, sometimes the family tablet.
      const household = rng.pick(this.households);
      ip = household.ip;
      addressHash = household.addressHash;
      if (household.sharedDevice && rng.chance(0.4)) {
        deviceId = household.sharedDevice.deviceId;
        accountDevice = household.sharedDevice.device;
      }
    } else if (network < 0.5) {
      ip = locale === 'zh' && rng.chance(0.2) ? mobileIpv6(rng) : carrierNatIp(rng, locale);
    } else {
      ip = broadbandIp(rng, locale);
      if (rng.chance(0.15)) {
        this.households.push({
          ip,
          addressHash,
          sharedDevice: rng.chance(0.25) ? { deviceId, device } : undefined,
        });
      }
    }
    return {
      accountId: this.ids.accountId(),
      createdAt,
      deviceId,
      device: accountDevice,
      ip,
      phoneHash: this.ids.phoneHash(),
      addressHash,
      engagement: rng.next() < 0.5 ? rng.uniform(0, 0.1) : Math.min(1, rng.pareto(0.15, 1.6)),
    };
  }
}
