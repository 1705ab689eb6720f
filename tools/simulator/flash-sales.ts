import type { DeviceInfo } from '../../src/events/event.schema.js';
import type { IdRegistry, SimAccount } from './accounts.js';
import { organicCreatedAt } from './accounts.js';
import { broadbandIp, carrierNatIp, CLOUD_PHONE_HANDSETS, EMULATOR_HANDSETS, ipIn, pickHandset, subnet24, type Sku } from './catalog.js';
import { Rng } from './prng.js';
import type { LedgerOrder, RoomBuilder, ViewerSession } from './room.js';

/**
 * (v2, issue 13) Limited drops: a `sale.opened` with scarce stock and a
 * per-account limit, the honest rush it draws, and the scalper rings that
 * grab it. Every draw comes from this module's own generator (seeded by the
 * evening and the stream), so the rooms' other traffic is drawn exactly as
 * before and the v1 figures stay comparable.
 *
 * The threat, from a police case and vendors' write-ups: one operator runs a
 * buying program across many rooms on hundreds of bought accounts and ~25
 * phones, cloud phones and servers; a proxy IP per order, accounts of every
 * age, obscured addresses (a few drop points under many spellings), phone
 * numbers changed often, made-up recipient names; orders placed before the
 * sale officially opens. Vendors add emulators, rooted and hooked devices,
 * one device activated for many accounts, one device on many IPs, an
 * over-share of old models, machine-speed ordering at near-identical
 * latencies.
 */

const SECOND = 1_000;
const MINUTE = 60_000;
const DAY = 86_400_000;

/** The operator's styles; each room it strikes is struck in one. */
export const SCALPER_STYLES = ['scalper_plugin_farm', 'scalper_cloud_phones', 'scalper_pre_open', 'scalper_old_models', 'scalper_spoofed_devices'] as const;
export type ScalperStyle = (typeof SCALPER_STYLES)[number];

/** Old handsets a buying operation keeps rooted and hooked by the crate (cheap, fully unlockable). */
const OLD_HANDSETS = [
  { model: 'Redmi Note 4X', os: 'Android 7.0' },
  { model: 'OPPO R9s', os: 'Android 6.0' },
  { model: 'vivo X9', os: 'Android 7.1' },
  { model: 'MI 6', os: 'Android 8.0' },
] as const;

interface OperatorDevice {
  deviceId: string;
  device: DeviceInfo;
  kind: 'cloud' | 'emulator' | 'old_phone';
}

/** The evening's one buying operation: its devices, its bought accounts, its drop points and payment accounts. */
export interface ScalperOperation {
  devices: OperatorDevice[];
  accounts: SimAccount[];
  /** The account's home device index (it changes phones now and then). */
  home: Map<string, number>;
  dropPoints: string[];
  payments: string[];
  proxySubnets: string[];
}

/** People who turn up to every drop they can and tap within half a second, every time: honest, and fast. */
export interface FlashSaleEvening {
  operation: ScalperOperation;
  fastFingers: SimAccount[];
  ids: IdRegistry;
  seed: number;
  startTs: number;
  pickupPoints: readonly string[];
}

export function newFlashSaleEvening(seed: number, ids: IdRegistry, startTs: number, pickupPoints: readonly string[]): FlashSaleEvening {
  const rng = new Rng((Math.imul(seed + 7, 0x27d4eb2f) ^ 0x5ca1e5) >>> 0);
  const devices: OperatorDevice[] = [];
  const cloudBuild = rng.pick(CLOUD_PHONE_HANDSETS);
  const emulatorBuild = rng.pick(EMULATOR_HANDSETS);
  const deviceCount = rng.int(22, 28);
  for (let i = 0; i < deviceCount; i++) {
    const kind = i % 3 === 0 ? 'cloud' : i % 3 === 1 ? 'emulator' : 'old_phone';
    if (kind === 'cloud') {
      devices.push({ deviceId: ids.deviceId(), kind, device: { model: cloudBuild.model, os: rng.pick(cloudBuild.os), emulator: false, rooted: true, cloudPhone: true, multiInstance: rng.chance(0.5) } });
    } else if (kind === 'emulator') {
      devices.push({ deviceId: ids.deviceId(), kind, device: { model: emulatorBuild.model, os: rng.pick(emulatorBuild.os), emulator: true, rooted: true, hooked: rng.chance(0.7) } });
    } else {
      const old = rng.pick(OLD_HANDSETS);
      devices.push({ deviceId: ids.deviceId(), kind, device: { model: old.model, os: old.os, emulator: false, rooted: true, hooked: rng.chance(0.6), multiInstance: true } });
    }
  }
  const proxySubnets = Array.from({ length: rng.int(80, 200) }, () => (rng.chance(0.5) ? carrierNatIp(rng, 'zh') : `${subnet24(rng)}.1`).split('.').slice(0, 3).join('.'));
  const dropPoints = Array.from({ length: rng.int(6, 12) }, () => ids.addressHash());
  const payments = Array.from({ length: rng.int(15, 35) }, () => `pa_${rng.hex(12)}`);
  // Hundreds of bought accounts from several sellers: fresh batches, aged resales, a few old real accounts bought outright.
  const batches = Array.from({ length: rng.int(3, 6) }, () => ({ from: startTs - (rng.chance(0.5) ? rng.uniform(5, 60) : rng.uniform(150, 1_200)) * DAY, spreadMs: rng.uniform(1, 40) * DAY }));
  const home = new Map<string, number>();
  const accounts = Array.from({ length: rng.int(300, 550) }, () => {
    const batch = rng.pick(batches);
    const index = rng.int(0, devices.length - 1);
    const device = devices[index] as OperatorDevice;
    const account: SimAccount = {
      accountId: ids.accountId(),
      createdAt: Math.round(batch.from + rng.uniform(0, batch.spreadMs)),
      deviceId: device.deviceId,
      device: device.device,
      ip: ipIn(rng.pick(proxySubnets), rng),
      phoneHash: ids.phoneHash(),
      addressHash: rng.pick(dropPoints),
      engagement: 0,
    };
    home.set(account.accountId, index);
    return account;
  });
  const fastFingers = Array.from({ length: rng.int(8, 14) }, () => person(rng, ids, startTs, { ip: carrierNatIp(rng, 'zh') }));
  return { operation: { devices, accounts, home, dropPoints, payments, proxySubnets }, fastFingers, ids, seed, startTs, pickupPoints };
}

/** A real person on their own phone (as `OrganicPopulation.person`, drawn from this module's generator). */
function person(rng: Rng, ids: IdRegistry, now: number, fixed: { ip: string; addressHash?: string; hardware?: { deviceId: string; device: DeviceInfo } }): SimAccount {
  const handset = pickHandset(rng, 'zh');
  const hardware = fixed.hardware ?? {
    deviceId: ids.deviceId(),
    device: { model: handset.model, os: rng.pick(handset.os), emulator: rng.chance(0.002), rooted: !handset.model.startsWith('iPhone') && rng.chance(0.015) },
  };
  return {
    accountId: ids.accountId(),
    createdAt: organicCreatedAt(rng, now),
    deviceId: hardware.deviceId,
    device: hardware.device,
    ip: fixed.ip,
    phoneHash: ids.phoneHash(),
    addressHash: fixed.addressHash ?? ids.addressHash(),
    engagement: rng.uniform(0.05, 0.6),
  };
}

/** One attempt to buy: placed only while stock lasts, in ts order. */
interface Attempt {
  account: SimAccount;
  ts: number;
  quantity: number;
  scalper: boolean;
  v2: NonNullable<LedgerOrder['v2']>;
  ip?: string;
  deviceId?: string;
  shipTo?: string;
}

export interface FlashSaleOutcome {
  /** Scalper accounts that got stock (the labelled ones). */
  scalpers: string[];
  /** Their orders, `merchantId/orderId`. */
  scalperOrders: string[];
}

/**
 * One limited drop in `room`: the sale opens at a moment of the stream, a
 * countdown draws a crowd of hundreds (carrier NAT, households on one wifi,
 * the evening's fast fingers among them) that joins in the minutes before,
 * the room's present viewers join in, and with `style` the operation
 * strikes too. Stock goes to attempts in ts order; the rest sell out.
 */
export function playLimitedDrop(room: RoomBuilder, sessions: readonly ViewerSession[], evening: FlashSaleEvening, style: ScalperStyle | null): FlashSaleOutcome {
  const rng = new Rng(hashOf(`drop:${room.setup.streamId}:${evening.seed}`));
  const { startTs, endTs } = room;
  const openAt = Math.round(startTs + (endTs - startTs) * rng.uniform(0.3, 0.65));
  const sku: Sku = rng.pick(room.setup.skus);
  const salePrice = Math.max(90, Math.round((sku.listPrice * rng.uniform(0.05, 0.25)) / 100) * 100 - 10);
  const perAccountLimit = rng.chance(0.7) ? 1 : 2;
  const stock = rng.int(80, 300);
  room.openSale(openAt, { skuId: sku.skuId, salePrice, listPrice: sku.listPrice, stock, perAccountLimit });

  const attempts: Attempt[] = [];
  const honestOrder = (account: SimAccount, ts: number, shipTo?: string): void => {
    attempts.push({
      account,
      ts,
      quantity: rng.chance(0.8) ? 1 : perAccountLimit,
      scalper: false,
      v2: {
        category: room.setup.category,
        virtual: false,
        recipientHash: `rc_${hashOf(`recipient:${account.accountId}`).toString(16)}`,
        paymentAccountHash: `pa_${hashOf(`payment:${account.accountId}`).toString(16)}`,
        device: account.device,
      },
      ...(shipTo ? { shipTo } : {}),
    });
  };
  // The countdown crowd: hundreds join in the last minutes; most tap within seconds of the opening.
  const crowd = rushCrowd(rng, evening, rng.int(200, 650));
  for (const account of crowd) {
    const joinAt = openAt - rng.uniform(5 * SECOND, 8 * MINUTE);
    const leaveAt = Math.min(endTs - 2 * SECOND, openAt + rng.uniform(20 * SECOND, 10 * MINUTE));
    if (joinAt < startTs || leaveAt <= openAt + 5 * SECOND) continue;
    room.watch(account, joinAt, leaveAt);
    if (!rng.chance(0.85)) continue;
    const fast = evening.fastFingers.includes(account);
    const ts = openAt + (fast ? rng.uniform(150, 480) : 350 + rng.lognormal(1_800, 0.65));
    honestOrder(account, Math.min(ts, leaveAt - 100), rng.chance(0.15) ? rng.pick(evening.pickupPoints) : undefined);
  }
  for (const session of sessions) {
    if (session.joinAt > openAt || session.leaveAt <= openAt + 3 * SECOND || !rng.chance(0.3)) continue;
    honestOrder(session.account, Math.min(session.leaveAt - 100, openAt + 400 + rng.lognormal(2_500, 0.7)));
  }
  if (style !== null) attempts.push(...strike(rng, room, evening.operation, style, openAt, stock, perAccountLimit));

  attempts.sort((a, b) => a.ts - b.ts);
  const outcome: FlashSaleOutcome = { scalpers: [], scalperOrders: [] };
  const bought = new Map<string, number>();
  let sold = 0;
  for (const attempt of attempts) {
    if (sold + attempt.quantity > stock) continue;
    const id = attempt.account.accountId;
    // The platform holds each account to the limit; a ring goes past it only through many accounts.
    if ((bought.get(id) ?? 0) + attempt.quantity > perAccountLimit) continue;
    bought.set(id, (bought.get(id) ?? 0) + attempt.quantity);
    sold += attempt.quantity;
    const ts = Math.round(attempt.ts);
    const paidAt = rng.chance(0.9) ? ts + (attempt.scalper ? rng.uniform(300, 3_000) : rng.lognormal(15 * SECOND, 0.8)) : null;
    const order = room.order(
      { ...attempt.account, ...(attempt.ip ? { ip: attempt.ip } : {}), ...(attempt.deviceId ? { deviceId: attempt.deviceId } : {}) },
      ts,
      sku,
      salePrice,
      attempt.quantity,
      { paidAt, refundedAt: null },
    );
    order.v2 = attempt.v2;
    if (attempt.shipTo) order.shipTo = attempt.shipTo;
    if (attempt.scalper) {
      outcome.scalperOrders.push(`${room.setup.merchantId}/${order.orderId}`);
      if (!outcome.scalpers.includes(id)) outcome.scalpers.push(id);
    }
  }
  return outcome;
}

/** Hundreds of real people: most on their own phone and network, some behind carrier NAT, some households on one wifi. */
function rushCrowd(rng: Rng, evening: FlashSaleEvening, size: number): SimAccount[] {
  const { ids } = evening;
  const crowd: SimAccount[] = rng.sample(evening.fastFingers, rng.int(3, evening.fastFingers.length));
  const natIps = Array.from({ length: rng.int(3, 8) }, () => carrierNatIp(rng, 'zh'));
  while (crowd.length < size) {
    const roll = rng.next();
    if (roll < 0.2) {
      crowd.push(person(rng, ids, evening.startTs, { ip: rng.pick(natIps) }));
    } else if (roll < 0.28) {
      // A household: one router, one address, and now and then one phone passed around.
      const ip = broadbandIp(rng, 'zh');
      const addressHash = ids.addressHash();
      const shared = rng.chance(0.3) ? { deviceId: ids.deviceId(), device: { model: pickHandset(rng, 'zh').model, os: 'Android 13', emulator: false, rooted: false } } : undefined;
      for (let i = 0, members = rng.int(2, 4); i < members; i++) crowd.push(person(rng, ids, evening.startTs, { ip, addressHash, ...(shared ? { hardware: shared } : {}) }));
    } else {
      crowd.push(person(rng, ids, evening.startTs, { ip: rng.chance(0.6) ? carrierNatIp(rng, 'zh') : broadbandIp(rng, 'zh') }));
    }
  }
  return crowd;
}

/**
 * The operation strikes a room: a share of its accounts, each buying the
 * per-account limit, from its devices, a proxy IP per order, a made-up
 * recipient per order, addresses on its drop points.
 */
function strike(rng: Rng, room: RoomBuilder, operation: ScalperOperation, style: ScalperStyle, openAt: number, stock: number, limit: number): Attempt[] {
  const wanted = Math.ceil((stock * rng.uniform(0.4, 0.85)) / limit);
  const pool = operation.accounts.filter((account) => {
    const device = operation.devices[operation.home.get(account.accountId) ?? 0] as OperatorDevice;
    if (style === 'scalper_cloud_phones') return device.kind === 'cloud';
    if (style === 'scalper_plugin_farm') return device.kind === 'emulator';
    if (style === 'scalper_old_models') return device.kind === 'old_phone';
    return true;
  });
  const accounts = rng.sample(pool, Math.min(pool.length, Math.max(25, wanted)));
  // A program's rhythm: one latency for the whole run, a few ms of jitter.
  const base = style === 'scalper_plugin_farm' ? rng.uniform(30, 150) : style === 'scalper_cloud_phones' ? rng.uniform(120, 380) : rng.uniform(60, 220);
  const sharedPayments = style !== 'scalper_cloud_phones';
  const attempts: Attempt[] = [];
  for (const account of accounts) {
    let ts: number;
    switch (style) {
      case 'scalper_pre_open':
        // The cracked check: most orders go in before the official opening.
        ts = rng.chance(0.7) ? openAt - rng.uniform(50, 3_000) : openAt + base + rng.normal(0, 20);
        break;
      case 'scalper_old_models':
        // Jittered to look human: speed says little here; the shared phones and payments say it.
        ts = openAt + 300 + rng.lognormal(900, 0.5);
        break;
      default:
        ts = openAt + Math.max(5, base + rng.normal(0, 18));
    }
    let deviceId = account.deviceId;
    let device = account.device;
    if (style === 'scalper_spoofed_devices') {
      // A hook framework resets the fingerprint for every order: no device id repeats, the hook shows.
      deviceId = `${rng.hex(16)}`;
      device = { ...account.device, hooked: true };
    } else if (rng.chance(0.15)) {
      // Changing phones: the account moves to another of the operation's devices.
      const other = rng.pick(operation.devices);
      deviceId = other.deviceId;
      device = other.device;
    }
    if (style === 'scalper_cloud_phones' && !attempts.some((attempt) => attempt.account.accountId === account.accountId)) {
      // Cloud phones open the room to get the sale link, seconds before the opening.
      room.watch({ ...account, deviceId, device }, openAt - rng.uniform(5 * SECOND, 60 * SECOND), Math.min(room.endTs - 2 * SECOND, openAt + rng.uniform(10, 40) * SECOND));
    }
    attempts.push({
      account: { ...account, phoneHash: rng.chance(0.5) ? `ph_${rng.hex(20)}` : account.phoneHash, addressHash: rng.chance(0.3) ? `ad_${rng.hex(20)}` : account.addressHash },
      ts,
      quantity: limit,
      scalper: true,
      ip: ipIn(rng.pick(operation.proxySubnets), rng),
      deviceId,
      v2: {
        category: room.setup.category,
        virtual: false,
        // Made-up recipient names: a new one on every order.
        recipientHash: `rc_${rng.hex(12)}`,
        paymentAccountHash: sharedPayments ? rng.pick(operation.payments) : `pa_${hashOf(`payment:${account.accountId}`).toString(16)}`,
        device,
      },
    });
  }
  return attempts;
}

/** FNV-1a of a text: a seed, so the same stream always draws the same drop. */
function hashOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}
