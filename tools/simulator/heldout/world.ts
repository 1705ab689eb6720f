import type { DeviceInfo } from '../../../src/events/event.schema.js';
import type { Locale } from '../catalog.js';
import type { Rng } from '../prng.js';

/**
 * The held-out model's own platform: its handsets, networks and accounts.
 * Drawn independently of the main simulator's catalog, so a detector that
 * learned that catalog's model strings or address blocks gains nothing here.
 */

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
export const MINUTE = 60_000;
export const SECOND = 1_000;

/** One account as this platform knows it; the network may change between sessions (mobile data). */
export interface HoAccount {
  accountId: string;
  createdAt: number;
  deviceId: string;
  device: DeviceInfo;
  ip: string;
  /** Mobile-data viewers get a new carrier-NAT address now and then. */
  network: NetworkKind;
  phoneHash: string;
  addressHash: string;
  /** 0 never types, 1 types all the time. */
  chattiness: number;
  /** Mean taps per minute while watching. */
  tapRate: number;
  /** Probability of buying something when a product they like is on. */
  buyingMood: number;
  /** (v2) The card or wallet the account pays with, and the recipient name on its orders; set by the v2 traffic only. */
  paymentHash?: string;
  recipientHash?: string;
}

export type NetworkKind = 'mobile' | 'home' | 'office' | 'campus' | 'datacenter' | 'proxy';

/** Every id this model hands out starts with `ho-` and is unique within one generation. */
export class HoIds {
  private readonly used = new Set<string>();

  /** `namespace` keeps a second generator's ids apart from the first's (`ho-x...` for the v2 traffic). */
  constructor(
    private readonly rng: Rng,
    private readonly namespace = '',
  ) {}

  make(kind: string, length = 10): string {
    for (;;) {
      const candidate = `ho-${this.namespace}${kind}${this.rng.hex(length)}`;
      if (!this.used.has(candidate)) {
        this.used.add(candidate);
        return candidate;
      }
    }
  }

  account(): string {
    return this.make('u', 12);
  }

  device(): string {
    return this.make('d', 16);
  }

  phone(): string {
    return this.make('ph', 18);
  }

  address(): string {
    return this.make('ad', 18);
  }
}

// ------------------------------------------------------------ handsets

interface Handset {
  model: string;
  os: readonly string[];
}

const ZH_PHONES: readonly (readonly [Handset, number])[] = [
  [{ model: 'iPhone17,1', os: ['iOS 18.3', 'iOS 18.4'] }, 7],
  [{ model: 'iPhone15,3', os: ['iOS 17.6', 'iOS 18.2', 'iOS 18.4'] }, 9],
  [{ model: 'iPhone14,7', os: ['iOS 16.6', 'iOS 17.6', 'iOS 18.3'] }, 8],
  [{ model: 'iPhone13,4', os: ['iOS 16.6', 'iOS 17.2'] }, 4],
  [{ model: 'BRA-AL00', os: ['HarmonyOS 4.2', 'HarmonyOS NEXT 5.0'] }, 6],
  [{ model: 'ALN-AL10', os: ['HarmonyOS 4.2'] }, 4],
  [{ model: 'NOH-AN00', os: ['HarmonyOS 3.0', 'HarmonyOS 4.0'] }, 3],
  [{ model: 'ANN-AN00', os: ['HarmonyOS 4.0'] }, 3],
  [{ model: '24031PN0DC', os: ['HyperOS 1.0', 'HyperOS 2.0'] }, 5],
  [{ model: '23116PN5BC', os: ['HyperOS 1.0'] }, 4],
  [{ model: 'M2102J2SC', os: ['Android 12', 'Android 13'] }, 2],
  [{ model: 'PKG110', os: ['ColorOS 14', 'ColorOS 15'] }, 3],
  [{ model: 'PJD110', os: ['ColorOS 14'] }, 3],
  [{ model: 'V2329A', os: ['OriginOS 4', 'OriginOS 5'] }, 4],
  [{ model: 'V2231A', os: ['OriginOS 3'] }, 2],
  [{ model: 'RMX3706', os: ['realme UI 5.0'] }, 2],
  [{ model: 'SM-S9280', os: ['Android 14'] }, 1],
  [{ model: 'PGT-AN20', os: ['MagicOS 8.0'] }, 2],
];

const EN_PHONES: readonly (readonly [Handset, number])[] = [
  [{ model: 'iPhone17,2', os: ['iOS 18.3', 'iOS 18.4'] }, 8],
  [{ model: 'iPhone15,4', os: ['iOS 17.6', 'iOS 18.2'] }, 9],
  [{ model: 'iPhone14,2', os: ['iOS 16.7', 'iOS 17.6'] }, 6],
  [{ model: 'SM-S928U', os: ['Android 14', 'Android 15'] }, 5],
  [{ model: 'SM-A256U', os: ['Android 14'] }, 5],
  [{ model: 'SM-S911U', os: ['Android 14'] }, 4],
  [{ model: 'Pixel 9', os: ['Android 15'] }, 3],
  [{ model: 'Pixel 6a', os: ['Android 14', 'Android 15'] }, 3],
  [{ model: 'moto g 5G - 2024', os: ['Android 14'] }, 3],
  [{ model: 'XT2341-3', os: ['Android 13'] }, 1],
];

/** Household tablets: the one screen a family shares. */
const TABLETS: readonly Handset[] = [
  { model: 'iPad13,16', os: ['iPadOS 17.6', 'iPadOS 18.2'] },
  { model: 'MRT-AL10', os: ['HarmonyOS 4.0'] },
  { model: '23043RP34C', os: ['HyperOS 1.0'] },
];

/** What a cloud-phone service reports: ARM server instances imitating a mid-range phone. */
export const CLOUD_PHONE_MODELS: readonly Handset[] = [
  { model: 'V2055A', os: ['Android 10'] },
  { model: 'PDCM00', os: ['Android 10'] },
];

/** The cheap used phones a group-control rack is built from. */
export const RACK_MODELS: readonly Handset[] = [
  { model: 'M2004J7AC', os: ['Android 10'] },
  { model: 'V1962A', os: ['Android 10'] },
];

export function phoneDevice(rng: Rng, locale: Locale): DeviceInfo {
  const handset = rng.weighted(locale === 'zh' ? ZH_PHONES : EN_PHONES);
  const apple = handset.model.startsWith('iPhone');
  return { model: handset.model, os: rng.pick(handset.os), emulator: false, rooted: !apple && rng.chance(0.01) };
}

export function tabletDevice(rng: Rng): DeviceInfo {
  const tablet = rng.pick(TABLETS);
  return { model: tablet.model, os: rng.pick(tablet.os), emulator: false, rooted: false };
}

export function fixedDevice(rng: Rng, handset: Handset, flags: { emulator?: boolean; rooted?: boolean } = {}): DeviceInfo {
  return { model: handset.model, os: rng.pick(handset.os), emulator: flags.emulator ?? false, rooted: flags.rooted ?? false };
}

// ------------------------------------------------------------ networks

const ZH_CGNAT = ['117.158', '223.73', '183.240', '36.157', '42.49', '106.39', '114.253', '111.55'];
const ZH_HOME = ['60.176', '125.70', '222.209', '116.228', '59.41', '61.141', '218.75', '124.78'];
const EN_CGNAT = ['174.244', '208.54', '172.32', '107.115'];
const EN_HOME = ['68.46', '76.33', '97.113', '50.35', '73.202', '108.28'];
/** University egress blocks: a whole campus leaves through a handful of addresses. */
const CAMPUS = ['202.120', '166.111', '211.86', '219.224'];
/** Cloud providers' address space, where cloud phones and proxies live. */
const DATACENTER = ['121.36', '116.63', '124.71', '43.139', '81.70', '150.158'];

function octet(rng: Rng): number {
  return rng.int(1, 254);
}

/** Carrier NAT: the third octet is concentrated, so unrelated mobile viewers share /24s and even addresses. */
export function carrierNat(rng: Rng, locale: Locale): string {
  const prefix = rng.pick(locale === 'zh' ? ZH_CGNAT : EN_CGNAT);
  return `${prefix}.${Math.floor(rng.pareto(1, 0.9)) % 24}.${rng.int(1, 60)}`;
}

export function mobileV6(rng: Rng): string {
  const carrier = rng.pick(['240e', '2408', '2409']);
  return `${carrier}:${rng.hex(3)}:${rng.hex(4)}:${rng.hex(4)}::${rng.hex(4)}`;
}

export function homeBroadband(rng: Rng, locale: Locale): string {
  const prefix = rng.pick(locale === 'zh' ? ZH_HOME : EN_HOME);
  return `${prefix}.${rng.int(0, 255)}.${octet(rng)}`;
}

export function campusEgress(rng: Rng): string[] {
  const prefix = rng.pick(CAMPUS);
  const third = rng.int(0, 255);
  return Array.from({ length: rng.int(1, 3) }, () => `${prefix}.${third}.${octet(rng)}`);
}

export function datacenterBlock(rng: Rng): string {
  return `${rng.pick(DATACENTER)}.${rng.int(0, 255)}`;
}

export function inBlock(rng: Rng, block: string): string {
  return `${block}.${octet(rng)}`;
}

/** A residential proxy exit: home broadband anywhere in the country, a fresh /24 every time. */
export function residentialProxy(rng: Rng, locale: Locale): string {
  return homeBroadband(rng, locale);
}

// ------------------------------------------------------------ honest accounts

/** Ages of real accounts: years for most, with a real tail of people who signed up this month or today. */
export function honestCreatedAt(rng: Rng, now: number): number {
  const roll = rng.next();
  let days: number;
  if (roll < 0.01) days = rng.uniform(0.01, 2);
  else if (roll < 0.06) days = rng.uniform(2, 45);
  else if (roll < 0.2) days = rng.uniform(45, 365);
  else days = 365 + rng.exponential(700);
  return Math.round(now - days * DAY);
}

export interface HonestAccountOptions {
  createdAt?: number;
  ip?: string;
  network?: NetworkKind;
  addressHash?: string;
  deviceId?: string;
  device?: DeviceInfo;
}

/** An ordinary viewer; options place them in a shared setting (a household, an office, a campus). */
export function honestAccount(rng: Rng, ids: HoIds, locale: Locale, now: number, options: HonestAccountOptions = {}): HoAccount {
  const onMobile = rng.chance(0.55);
  const network: NetworkKind = options.network ?? (onMobile ? 'mobile' : 'home');
  const ip = options.ip ?? (network === 'mobile' ? (locale === 'zh' && rng.chance(0.3) ? mobileV6(rng) : carrierNat(rng, locale)) : homeBroadband(rng, locale));
  const quiet = rng.chance(0.55);
  return {
    accountId: ids.account(),
    createdAt: options.createdAt ?? honestCreatedAt(rng, now),
    deviceId: options.deviceId ?? ids.device(),
    device: options.device ?? phoneDevice(rng, locale),
    ip,
    network,
    phoneHash: ids.phone(),
    addressHash: options.addressHash ?? ids.address(),
    chattiness: quiet ? rng.uniform(0, 0.05) : Math.min(1, rng.exponential(0.25)),
    tapRate: rng.chance(0.4) ? 0 : rng.exponential(4),
    buyingMood: Math.min(0.9, rng.exponential(0.08)),
  };
}

/** The next IP of an account for a new session: mobile users hop carrier-NAT exits. */
export function sessionIp(rng: Rng, account: HoAccount, locale: Locale): string {
  if (account.network === 'mobile' && rng.chance(0.35)) {
    account.ip = account.ip.includes(':') ? mobileV6(rng) : carrierNat(rng, locale);
  }
  // A residential-proxy subscription hands out a fresh exit for every connection.
  if (account.network === 'proxy') account.ip = residentialProxy(rng, locale);
  return account.ip;
}
