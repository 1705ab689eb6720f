import type { DeviceInfo, RoomEvent } from '../../../src/events/event.schema.js';
import { DAY, rng } from './traffic.js';

/** A limited drop in one stream, written by hand for the scalper-bot specs: an honest rush and, optionally, a ring. */
export interface DropOptions {
  roomId: string;
  streamId: string;
  startAt: number;
  openAt: number;
  stock: number;
  perAccountLimit?: number;
  /** Real people, each on their own phone, network, card and address; ordering seconds after the opening. */
  honest: number;
  /** Of them, this many tap within half a second. */
  fastFingers?: number;
  /** Honest people sharing one carrier-NAT address, and households of three on one wifi, one phone and one address. */
  natShare?: number;
  households?: number;
  ring?: RingOptions;
  seed?: number;
  /** Prefix for account ids, so several rooms can share a ring and not their crowds. */
  prefix?: string;
}

export interface RingOptions {
  accounts: string[];
  devices: number;
  /** ms from the opening per ring order (negative: before it). */
  latency: (index: number) => number;
  device: DeviceInfo;
  payments: number;
  drops: number;
  /** Fresh device id per order (a hook framework resetting the fingerprint). */
  spoofDevices?: boolean;
  watch?: boolean;
}

export function limitedDrop(options: DropOptions): RoomEvent[] {
  const random = rng(options.seed ?? 5);
  const { roomId, streamId } = options;
  const prefix = options.prefix ?? streamId;
  let seq = 0;
  const base = (ts: number): { id: string; roomId: string; streamId: string; ts: number } => ({ id: `${streamId}-f${seq++}`, roomId, streamId, ts: Math.round(ts) });
  const events: RoomEvent[] = [{ ...base(options.startAt), type: 'stream.started', merchantId: 'merchant-1' }];
  const sku = 'sku-drop';
  const salePrice = 990;
  const limit = options.perAccountLimit ?? 1;
  events.push({ ...base(options.openAt), type: 'sale.opened', skuId: sku, salePrice, listPrice: 9_990, currency: 'CNY', stock: options.stock, perAccountLimit: limit });
  const order = (accountId: string, ts: number, extra: { deviceId: string; ip: string; device: DeviceInfo; payment: string; address: string; quantity?: number }): void => {
    events.push({
      ...base(ts),
      type: 'order.placed',
      accountId,
      deviceId: extra.deviceId,
      ip: extra.ip,
      orderId: `${accountId}-${streamId}-o${seq}`,
      skuId: sku,
      quantity: extra.quantity ?? 1,
      unitPrice: salePrice,
      listPrice: 9_990,
      currency: 'CNY',
      addressHash: extra.address,
      recipientHash: `rc-${accountId}`,
      paymentAccountHash: extra.payment,
      device: extra.device,
    });
  };
  const phone = (i: number): DeviceInfo => ({ model: ['iPhone15,2', 'V2227A', 'SM-S918B', 'PGT-AN10', 'Pixel 8', 'M2102J20SG'][i % 6] as string, os: 'x', emulator: false, rooted: i % 67 === 0 });
  for (let i = 0; i < options.honest; i++) {
    const id = `${prefix}-p${i}`;
    const household = options.households !== undefined && i < options.households * 3 ? Math.floor(i / 3) : -1;
    const nat = household < 0 && options.natShare !== undefined && random() < options.natShare;
    const ip = household >= 0 ? `192.0.2.${household + 1}` : nat ? '198.18.0.7' : `203.0.${i % 250}.${(i * 7) % 250}`;
    const deviceId = household >= 0 ? `house-${prefix}-${household}` : `dev-${id}`;
    const device = phone(i);
    const joinAt = options.openAt - 10_000 - random() * 240_000;
    events.push({ ...base(joinAt), type: 'viewer.joined', accountId: id, deviceId, ip, accountCreatedAt: Math.round(options.startAt - (30 + random() * 1_500) * DAY), device });
    const fast = i >= options.honest - (options.fastFingers ?? 0);
    const latency = fast ? 150 + random() * 330 : 400 + Math.exp(Math.log(1_800) + 0.65 * gaussian(random));
    order(id, options.openAt + latency, { deviceId, ip, device, payment: `pa-${id}`, address: household >= 0 ? `ad-house-${household}` : random() < 0.15 ? 'ad-locker-1' : `ad-${id}` });
  }
  const ring = options.ring;
  if (ring) {
    ring.accounts.forEach((id, i) => {
      const deviceId = ring.spoofDevices ? `spoof-${streamId}-${i}` : `ring-dev-${i % ring.devices}`;
      const ip = `100.${64 + (i % 50)}.${(seq * 13) % 250}.${i % 250}`;
      if (ring.watch) events.push({ ...base(options.openAt - 20_000 + i * 10), type: 'viewer.joined', accountId: id, deviceId, ip, accountCreatedAt: Math.round(options.startAt - (5 + (i % 40) * 20) * DAY), device: ring.device });
      order(id, options.openAt + ring.latency(i), { deviceId, ip, device: ring.device, payment: `ring-pay-${i % ring.payments}`, address: `ring-drop-${i % ring.drops}`, quantity: limit });
    });
  }
  events.push({ ...base(options.openAt + 20 * 60_000), type: 'stream.ended' });
  return events.sort((a, b) => a.ts - b.ts);
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
