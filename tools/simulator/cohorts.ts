import type { DeviceInfo } from '../../src/events/event.schema.js';
import type { IdRegistry, SimAccount } from './accounts.js';
import { broadbandIp, carrierNatIp, CLOUD_PHONE_HANDSETS, EMULATOR_HANDSETS, FARM_HANDSETS, ipIn, pickHandset, subnet24, type Locale } from './catalog.js';
import type { Rng } from './prng.js';

/**
 * Attacker account pools as they are bought or built: each factory encodes
 * what the operator can and cannot afford to vary.
 */

const HOUR = 3_600_000;
const DAY = 86_400_000;

interface PhysicalDevice {
  deviceId: string;
  device: DeviceInfo;
}

function account(ids: IdRegistry, createdAt: number, hardware: PhysicalDevice, ip: string, extra: Partial<SimAccount> = {}): SimAccount {
  return {
    accountId: ids.accountId(),
    createdAt: Math.round(createdAt),
    deviceId: hardware.deviceId,
    device: hardware.device,
    ip,
    phoneHash: ids.phoneHash(),
    addressHash: ids.addressHash(),
    engagement: 0,
    ...extra,
  };
}

/** A crude emulator farm: one emulator image, accounts registered in one sitting, one rented /24. */
export function emulatorFarm(rng: Rng, ids: IdRegistry, now: number, size: number): SimAccount[] {
  const image = rng.pick(EMULATOR_HANDSETS);
  const os = rng.pick(image.os);
  const registeredOn = now - rng.uniform(2, 20) * DAY;
  const subnet = subnet24(rng);
  const addresses = Array.from({ length: rng.int(8, 30) }, () => ipIn(subnet, rng));
  const device = { model: image.model, os, emulator: true, rooted: true };
  const clonedImages = Array.from({ length: rng.int(3, 8) }, () => ids.deviceId());
  return Array.from({ length: size }, () => {
    // Emulators re-roll their android id per instance, but a cheap farm also runs cloned images.
    const hardware = { deviceId: rng.chance(0.7) ? ids.deviceId() : rng.pick(clonedImages), device };
    return account(ids, registeredOn + rng.uniform(0, 6) * HOUR, hardware, rng.pick(addresses));
  });
}

/** Group-control phone farm: crates of a few cheap models, rooted, several accounts per phone, a few subnets. */
export function phoneFarm(rng: Rng, ids: IdRegistry, now: number, size: number): SimAccount[] {
  const models = rng.sample(FARM_HANDSETS, rng.int(2, 4));
  const subnets = Array.from({ length: rng.int(3, 6) }, () => subnet24(rng));
  const phones: (PhysicalDevice & { ip: string })[] = Array.from({ length: Math.max(5, Math.round(size / rng.uniform(2, 4))) }, () => {
    const handset = rng.pick(models);
    return {
      deviceId: ids.deviceId(),
      device: { model: handset.model, os: rng.pick(handset.os), emulator: false, rooted: rng.chance(0.85) },
      ip: ipIn(rng.pick(subnets), rng),
    };
  });
  const bulkStart = now - rng.uniform(30, 120) * DAY;
  return Array.from({ length: size }, () => {
    const phone = rng.pick(phones);
    return account(ids, bulkStart + rng.uniform(0, 21) * DAY, phone, phone.ip);
  });
}

/**
 * Aged accounts resold as a "real viewer" package: months to years old and
 * on varied handsets, but the reseller runs them from a small device and
 * subnet pool.
 */
export function agedPackage(rng: Rng, ids: IdRegistry, now: number, size: number, locale: Locale): SimAccount[] {
  const subnets = Array.from({ length: rng.int(1, 3) }, () => subnet24(rng));
  const devices: (PhysicalDevice & { ip: string })[] = Array.from({ length: Math.max(4, Math.round(size / rng.uniform(4, 8))) }, () => {
    const handset = pickHandset(rng, locale);
    return {
      deviceId: ids.deviceId(),
      device: { model: handset.model, os: rng.pick(handset.os), emulator: false, rooted: false },
      ip: ipIn(rng.pick(subnets), rng),
    };
  });
  return Array.from({ length: size }, () => {
    const hardware = rng.pick(devices);
    return account(ids, now - rng.uniform(180, 900) * DAY, hardware, hardware.ip);
  });
}

/** Freshly bulk-registered chat accounts on assorted handsets behind two proxies. */
export function chatCohort(rng: Rng, ids: IdRegistry, now: number, size: number, locale: Locale): SimAccount[] {
  const subnets = [subnet24(rng), subnet24(rng)];
  const registeredFrom = now - rng.uniform(20, 90) * DAY;
  return Array.from({ length: size }, () => {
    const handset = pickHandset(rng, locale);
    const hardware = { deviceId: ids.deviceId(), device: { model: handset.model, os: rng.pick(handset.os), emulator: false, rooted: rng.chance(0.3) } };
    return account(ids, registeredFrom + rng.uniform(0, 10) * DAY, hardware, ipIn(rng.pick(subnets), rng));
  });
}

/** A handful of ordinary-looking aged accounts, each on its own phone and network. */
export function ordinaryLooking(rng: Rng, ids: IdRegistry, now: number, size: number, locale: Locale): SimAccount[] {
  return Array.from({ length: size }, () => {
    const handset = pickHandset(rng, locale);
    const hardware = { deviceId: ids.deviceId(), device: { model: handset.model, os: rng.pick(handset.os), emulator: false, rooted: false } };
    return account(ids, now - rng.uniform(200, 1500) * DAY, hardware, rng.chance(0.5) ? carrierNatIp(rng, locale) : broadbandIp(rng, locale));
  });
}

/**
 * A hired brusher: one person with about ten accounts on two or three
 * phones, one home connection, a couple of SIMs and delivery addresses.
 */
export function brusherRing(rng: Rng, ids: IdRegistry, now: number, locale: Locale): SimAccount[] {
  const phones = Array.from({ length: rng.int(2, 3) }, () => {
    const handset = pickHandset(rng, locale);
    return { deviceId: ids.deviceId(), device: { model: handset.model, os: rng.pick(handset.os), emulator: false, rooted: rng.chance(0.3) } };
  });
  const homeIp = broadbandIp(rng, locale);
  const mobileIp = carrierNatIp(rng, locale);
  const phoneHashes = Array.from({ length: rng.int(2, 3) }, () => ids.phoneHash());
  const addresses = Array.from({ length: rng.int(1, 3) }, () => ids.addressHash());
  return Array.from({ length: rng.int(8, 12) }, () =>
    account(ids, now - rng.uniform(20, 700) * DAY, rng.pick(phones), rng.chance(0.8) ? homeIp : mobileIp, {
      phoneHash: rng.pick(phoneHashes),
      addressHash: rng.pick(addresses),
      engagement: 0.1,
    }),
  );
}

/** The merchant's own staff: real, aged accounts on their own phones, ordering from the office to one warehouse. */
export function merchantStaff(rng: Rng, ids: IdRegistry, now: number, locale: Locale): SimAccount[] {
  const officeIp = broadbandIp(rng, locale);
  const warehouses = Array.from({ length: rng.int(1, 2) }, () => ids.addressHash());
  return Array.from({ length: rng.int(6, 18) }, () => {
    const handset = pickHandset(rng, locale);
    const hardware = { deviceId: ids.deviceId(), device: { model: handset.model, os: rng.pick(handset.os), emulator: false, rooted: false } };
    return account(ids, now - rng.uniform(60, 1800) * DAY, hardware, rng.chance(0.7) ? officeIp : carrierNatIp(rng, locale), {
      addressHash: rng.pick(warehouses),
      engagement: 0.2,
    });
  });
}

/**
 * A trickle farm: real phones of one or two cheap models, one account each,
 * on a few rented /24s, all registered in one sitting a few weeks ago. The
 * operator paid to look organic, so nothing but this infrastructure ties them.
 */
export function trickleFarm(rng: Rng, ids: IdRegistry, now: number, size: number, locale: Locale): SimAccount[] {
  const models = [rng.pick(FARM_HANDSETS), ...(rng.chance(0.5) ? [pickHandset(rng, locale)] : [])];
  const subnets = Array.from({ length: rng.int(2, 4) }, () => subnet24(rng));
  const registeredOn = now - rng.uniform(5, 60) * DAY;
  const sittingHours = rng.uniform(2, 10);
  return Array.from({ length: size }, () => {
    const handset = rng.pick(models);
    const hardware = { deviceId: ids.deviceId(), device: { model: handset.model, os: rng.pick(handset.os), emulator: false, rooted: rng.chance(0.5) } };
    return account(ids, registeredOn + rng.uniform(0, sittingHours) * HOUR, hardware, ipIn(rng.pick(subnets), rng));
  });
}

/**
 * An aged-account farm: accounts one to two years old (bought, not made), so
 * their age says nothing; run from a small pool of phones on two or three
 * /24s. It works several rooms of the evening with the same accounts.
 */
export function agedFarm(rng: Rng, ids: IdRegistry, now: number, size: number, locale: Locale): SimAccount[] {
  const subnets = Array.from({ length: rng.int(2, 3) }, () => subnet24(rng));
  const phones: (PhysicalDevice & { ip: string })[] = Array.from({ length: Math.max(6, Math.round(size / rng.uniform(2, 5))) }, () => {
    const handset = pickHandset(rng, locale);
    return {
      deviceId: ids.deviceId(),
      device: { model: handset.model, os: rng.pick(handset.os), emulator: false, rooted: rng.chance(0.2) },
      ip: ipIn(rng.pick(subnets), rng),
    };
  });
  return Array.from({ length: size }, () => {
    const phone = rng.pick(phones);
    return account(ids, now - rng.uniform(365, 730) * DAY, phone, phone.ip);
  });
}

/**
 * "Machine-swiping" software (issue 18): emulator or rooted instances on one
 * rented /24, every account registered within hours a few days ago.
 */
export function allInOneFarm(rng: Rng, ids: IdRegistry, now: number, size: number): SimAccount[] {
  const image = rng.pick(EMULATOR_HANDSETS);
  const crate = rng.pick(FARM_HANDSETS);
  const subnet = subnet24(rng);
  const registeredOn = now - rng.uniform(2, 5) * DAY;
  return Array.from({ length: size }, () => {
    const emulated = rng.chance(0.7);
    const handset = emulated ? image : crate;
    const hardware = { deviceId: ids.deviceId(), device: { model: handset.model, os: rng.pick(handset.os), emulator: emulated, rooted: true } };
    return account(ids, registeredOn + rng.uniform(0, 8) * HOUR, hardware, ipIn(subnet, rng));
  });
}

/**
 * A comment farm's account pool: bulk-registered in a few sittings, run on
 * two or three cheap models behind a rotating residential proxy pool (many
 * /24s, a handful of accounts on each), so no single address stands out.
 */
export function proxyPoolAccounts(rng: Rng, ids: IdRegistry, now: number, size: number, locale: Locale): SimAccount[] {
  const models = [...rng.sample(FARM_HANDSETS, rng.int(1, 2)), pickHandset(rng, locale)];
  const subnets = Array.from({ length: Math.max(3, Math.round(size / rng.uniform(4, 10))) }, () => subnet24(rng));
  const sittings = Array.from({ length: rng.int(1, 3) }, () => now - rng.uniform(3, 45) * DAY);
  return Array.from({ length: size }, () => {
    const handset = rng.pick(models);
    const hardware = { deviceId: ids.deviceId(), device: { model: handset.model, os: rng.pick(handset.os), emulator: false, rooted: rng.chance(0.4) } };
    return account(ids, rng.pick(sittings) + rng.uniform(0, 6) * HOUR, hardware, ipIn(rng.pick(subnets), rng));
  });
}

/**
 * A rented cloud-phone farm: a few dozen seats (virtual phones in a vendor's
 * data centre, one device id and one emulated model each, root on), a
 * rotating residential-proxy pool that hands out a new address per login,
 * and a large pool of bought accounts of every age. Seats are few and
 * accounts many, so the control software logs account after account into
 * each seat: what a room's viewer list sees as many strangers is a handful
 * of machines.
 */
export interface CloudPhoneFarm {
  seats: PhysicalDevice[];
  accounts: SimAccount[];
  /** Residential proxy exits: many /24s, an address drawn from them per login. */
  proxySubnets: string[];
}

export function cloudPhoneFarm(rng: Rng, ids: IdRegistry, now: number, seats: number, size: number): CloudPhoneFarm {
  const builds = rng.sample(CLOUD_PHONE_HANDSETS, rng.int(1, 2));
  const seatDevices = Array.from({ length: seats }, () => {
    const build = rng.pick(builds);
    return { deviceId: ids.deviceId(), device: { model: build.model, os: rng.pick(build.os), emulator: false, rooted: rng.chance(0.7) } };
  });
  const proxySubnets = Array.from({ length: rng.int(40, 120) }, () => (rng.chance(0.6) ? carrierNatIp(rng, 'zh') : broadbandIp(rng, 'zh')).split('.').slice(0, 3).join('.'));
  // Bought by the thousand from several sellers: some batches registered weeks ago in one sitting, some aged resales.
  const batches = Array.from({ length: rng.int(3, 8) }, () => ({
    from: now - (rng.chance(0.5) ? rng.uniform(10, 60) : rng.uniform(200, 900)) * DAY,
    spreadMs: rng.uniform(0.2, 20) * DAY,
  }));
  const accounts = Array.from({ length: size }, () => {
    const batch = rng.pick(batches);
    // The seat an account logs into sets its device at login; until then it has none of its own.
    return account(ids, batch.from + rng.uniform(0, batch.spreadMs), rng.pick(seatDevices), ipIn(rng.pick(proxySubnets), rng));
  });
  return { seats: seatDevices, accounts, proxySubnets };
}

/**
 * A brushing studio: one operator, ten phones and a dozen or more accounts
 * on them (a few phones carry two), a handful of SIM cards the accounts are
 * bound to, and parcels sent to two or three pick-up points of the city,
 * which honest neighbours use too. The studio works many rooms, a few of
 * its accounts in each.
 */
export function brushingStudio(rng: Rng, ids: IdRegistry, now: number, pickupPoints: readonly string[]): SimAccount[] {
  if (rng.chance(0.4)) return dropAddressStudio(rng, ids, now, pickupPoints);
  const phones = Array.from({ length: 10 }, () => {
    const handset = pickHandset(rng, 'zh');
    return { deviceId: ids.deviceId(), device: { model: handset.model, os: rng.pick(handset.os), emulator: false, rooted: rng.chance(0.2) } };
  });
  const sims = Array.from({ length: rng.int(3, 6) }, () => ids.phoneHash());
  const lockers = rng.sample([...pickupPoints], rng.int(2, 3));
  const studioIp = broadbandIp(rng, 'zh');
  return Array.from({ length: rng.int(12, 18) }, (_, index) =>
    account(ids, now - rng.uniform(30, 600) * DAY, phones[index % phones.length]!, rng.chance(0.5) ? studioIp : carrierNatIp(rng, 'zh'), {
      phoneHash: rng.pick(sims),
      addressHash: rng.pick(lockers),
      engagement: 0.1,
    }),
  );
}

/**
 * A "one phone, one account" studio: a dozen bought real-name accounts, each
 * on its own phone and SIM, so no hardware ties them; every parcel goes to
 * the studio's drop, one pick-up point of the city (honest neighbours
 * collect there too), where a runner takes the empty boxes back.
 */
function dropAddressStudio(rng: Rng, ids: IdRegistry, now: number, pickupPoints: readonly string[]): SimAccount[] {
  const drop = rng.pick([...pickupPoints]);
  return Array.from({ length: rng.int(12, 18) }, () => {
    const handset = pickHandset(rng, 'zh');
    const hardware = { deviceId: ids.deviceId(), device: { model: handset.model, os: rng.pick(handset.os), emulator: false, rooted: false } };
    return account(ids, now - rng.uniform(60, 900) * DAY, hardware, rng.chance(0.7) ? carrierNatIp(rng, 'zh') : broadbandIp(rng, 'zh'), {
      addressHash: drop,
      engagement: 0.1,
    });
  });
}

/**
 * A kickback crew: recruits on their own phones and SIMs who buy, are
 * refunded most of the price and keep the rest as their commission; about
 * half ship to one of the organiser's two collection addresses, the others
 * to their own.
 */
export function kickbackCrew(rng: Rng, ids: IdRegistry, now: number): SimAccount[] {
  const collection = [ids.addressHash(), ids.addressHash()];
  return Array.from({ length: rng.int(16, 24) }, () => {
    const handset = pickHandset(rng, 'zh');
    const hardware = { deviceId: ids.deviceId(), device: { model: handset.model, os: rng.pick(handset.os), emulator: false, rooted: false } };
    return account(ids, now - rng.uniform(60, 1500) * DAY, hardware, rng.chance(0.6) ? carrierNatIp(rng, 'zh') : broadbandIp(rng, 'zh'), {
      ...(rng.chance(0.5) ? { addressHash: rng.pick(collection) } : {}),
      engagement: 0.15,
    });
  });
}

/**
 * Workers of a task platform: unrelated people paid per order, each on
 * their own phone, SIM, address and network. Nothing but what they do
 * ties them; each takes tasks in several rooms of the evening.
 */
export function taskPlatformWorkers(rng: Rng, ids: IdRegistry, now: number, size: number): SimAccount[] {
  return ordinaryLooking(rng, ids, now, size, 'zh').map((worker) => ({ ...worker, engagement: 0.1 }));
}

/** The merchant's flash-sale team: staff on their own phones, ordering from the office line to their own homes. */
export function merchantFlashStaff(rng: Rng, ids: IdRegistry, now: number, locale: Locale): SimAccount[] {
  const officeIp = broadbandIp(rng, locale);
  return Array.from({ length: rng.int(4, 9) }, () => {
    const handset = pickHandset(rng, locale);
    const hardware = { deviceId: ids.deviceId(), device: { model: handset.model, os: rng.pick(handset.os), emulator: false, rooted: false } };
    return account(ids, now - rng.uniform(60, 1800) * DAY, hardware, rng.chance(0.7) ? officeIp : carrierNatIp(rng, locale), { engagement: 0.2 });
  });
}
