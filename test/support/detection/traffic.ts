import type { RoomEvent } from '../../../src/events/event.schema.js';
import { DetectionEngine, type DeepPartial, type EngineConfig } from '../../../src/detection/engine/engine.js';
import { findingKey, type Finding } from '../../../src/detection/engine/finding.js';

/** Hand-built room traffic for specs. Times are fixed event times; nothing reads the clock. */

export const T0 = Date.UTC(2026, 0, 10, 12, 0, 0);
export const DAY = 86_400_000;

/** Small deterministic PRNG (mulberry32) so "random" crowds are the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface JoinOptions {
  createdAt?: number;
  model?: string;
  os?: string;
  emulator?: boolean;
  rooted?: boolean;
  deviceId?: string;
  ip?: string;
}

export class RoomTraffic {
  readonly events: RoomEvent[] = [];
  private seq = 0;

  constructor(
    readonly roomId = 'room-1',
    readonly streamId = 'stream-1',
  ) {}

  private id(): string {
    return `${this.streamId}-e${this.seq++}`;
  }

  private base(ts: number): { id: string; roomId: string; streamId: string; ts: number } {
    return { id: this.id(), roomId: this.roomId, streamId: this.streamId, ts: Math.round(ts) };
  }

  start(ts: number): this {
    this.events.push({ ...this.base(ts), type: 'stream.started', merchantId: 'merchant-1' });
    return this;
  }

  end(ts: number): this {
    this.events.push({ ...this.base(ts), type: 'stream.ended' });
    return this;
  }

  join(accountId: string, ts: number, options: JoinOptions = {}): this {
    const { createdAt, deviceId, ip, ...device } = options;
    this.events.push({
      ...this.base(ts),
      type: 'viewer.joined',
      accountId,
      ...(createdAt !== undefined ? { accountCreatedAt: createdAt } : {}),
      ...(deviceId !== undefined ? { deviceId } : {}),
      ...(ip !== undefined ? { ip } : {}),
      ...(Object.keys(device).length > 0 ? { device } : {}),
    });
    return this;
  }

  leave(accountId: string, ts: number): this {
    this.events.push({ ...this.base(ts), type: 'viewer.left', accountId });
    return this;
  }

  like(accountId: string, ts: number, count = 1): this {
    this.events.push({ ...this.base(ts), type: 'like', accountId, count });
    return this;
  }

  comment(accountId: string, ts: number, text: string): this {
    this.events.push({ ...this.base(ts), type: 'comment', accountId, text });
    return this;
  }

  count(ts: number, displayed: number): this {
    this.events.push({ ...this.base(ts), type: 'viewer.count', displayed: Math.max(0, Math.round(displayed)) });
    return this;
  }

  order(accountId: string, ts: number, unitPrice = 9_900): this {
    const orderId = `${accountId}-o${this.seq}`;
    this.events.push({
      ...this.base(ts),
      type: 'order.placed',
      accountId,
      orderId,
      skuId: 'sku-1',
      quantity: 1,
      unitPrice,
      listPrice: unitPrice,
      currency: 'CNY',
    });
    return this;
  }

  /** Events in ts order (stable), as a single connection would commit them. */
  sorted(): RoomEvent[] {
    return [...this.events].sort((a, b) => a.ts - b.ts);
  }
}

const MODELS = [
  'iPhone15,2', 'iPhone14,5', 'iPhone16,1', 'SM-S918B', 'SM-A546E', 'M2102J20SG', '23049RAD8C', 'V2227A', 'PGT-AN10',
  'CPH2451', 'Pixel 8', 'RMX3700', 'LIO-AN00', 'NOH-AL00', '2201123C', 'V2309A', 'PHB110', 'SM-G991B', 'ALN-AL00', 'M2012K11AC',
];

/** Identity of an ordinary viewer: account months or years old, a common phone, its own home or mobile address. */
/** viewer.count as an honest counter shows it: the accounts present at that moment. */
export function withHonestCounts(room: RoomTraffic, every = 10_000): RoomEvent[] {
  const sorted = room.sorted();
  const out: RoomEvent[] = [];
  let present = 0;
  let nextCount = sorted[0].ts + every;
  for (const event of sorted) {
    while (event.ts >= nextCount) {
      out.push({ id: `${room.streamId}-count-${nextCount}`, roomId: room.roomId, streamId: room.streamId, ts: nextCount, type: 'viewer.count', displayed: present });
      nextCount += every;
    }
    if (event.type === 'viewer.joined') present++;
    if (event.type === 'viewer.left') present--;
    out.push(event);
  }
  return out;
}

export function honestIdentity(random: () => number, at: number): JoinOptions {
  const model = MODELS[Math.floor(random() ** 1.5 * MODELS.length)];
  return {
    createdAt: at - Math.round((30 + random() * 2_000) * DAY),
    model,
    os: model.startsWith('iPhone') ? 'iOS 17' : 'Android 14',
    emulator: false,
    deviceId: `dev-${Math.floor(random() * 1e12).toString(36)}`,
    ip: `${1 + Math.floor(random() * 220)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${1 + Math.floor(random() * 250)}`,
  };
}

/**
 * Honest viewers joining between `from` and `to` (denser towards `peakAt` if
 * given), each staying an exponential watch time, some liking or commenting.
 */
export function honestCrowd(
  traffic: RoomTraffic,
  options: { prefix: string; viewers: number; from: number; to: number; endAt: number; seed: number; meanWatchMs?: number; likeShare?: number; commentShare?: number },
): string[] {
  const random = rng(options.seed);
  const accounts: string[] = [];
  for (let i = 0; i < options.viewers; i++) {
    const accountId = `${options.prefix}-${i}`;
    accounts.push(accountId);
    const joinAt = options.from + random() * (options.to - options.from);
    traffic.join(accountId, joinAt, honestIdentity(random, joinAt));
    const watch = -Math.log(1 - random()) * (options.meanWatchMs ?? 4 * 60_000);
    const leaveAt = Math.min(joinAt + watch, options.endAt - 1);
    if (random() < (options.likeShare ?? 0.3)) traffic.like(accountId, joinAt + random() * (leaveAt - joinAt), 1 + Math.floor(random() * 20));
    if (random() < (options.commentShare ?? 0.1)) traffic.comment(accountId, joinAt + random() * (leaveAt - joinAt), HONEST_LINES[Math.floor(random() * HONEST_LINES.length)]);
    if (joinAt + watch < options.endAt - 1) traffic.leave(accountId, leaveAt);
  }
  return accounts;
}

export const HONEST_LINES = [
  '主播好', '666', '这个颜色好看吗', 'how much?', '上链接', '有没有大码', '哈哈哈哈', 'love this', '刚下单了', '什么时候发货',
  '❤️❤️', '1', '主播声音好好听', '质量怎么样啊', 'is it waterproof?', '已关注', '求讲解一下', 'ok', 'lol', '包邮吗',
];

export interface EngineRun {
  engine: DetectionEngine;
  findings: Finding[];
}

/**
 * Feeds events, drains every `drainEvery` events (0 = only at the end),
 * flushes at the end of input, and merges the drains into the latest finding
 * per key, in order of first appearance, as the report store would.
 */
export function runEngine(events: readonly RoomEvent[], config?: DeepPartial<EngineConfig>, drainEvery = 0, engine = new DetectionEngine(config)): EngineRun {
  const merged = new Map<string, Finding>();
  const take = (): void => {
    for (const finding of engine.drainFindings()) merged.set(findingKey(finding), finding);
  };
  events.forEach((event, i) => {
    engine.process(event);
    if (drainEvery > 0 && (i + 1) % drainEvery === 0) take();
  });
  engine.flush();
  take();
  return { engine, findings: [...merged.values()] };
}

export function roomFindings(findings: readonly Finding[], kind: Finding['kind']): Finding[] {
  return findings.filter((f) => f.kind === kind && f.subjectType === 'room');
}

export function accountFindings(findings: readonly Finding[], kind: Finding['kind']): Finding[] {
  return findings.filter((f) => f.kind === kind && f.subjectType === 'account');
}
