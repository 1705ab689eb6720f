import { rng } from '../../../test/support/detection/traffic.js';
import type { RoomEvent } from '../../../src/events/event.schema.js';

/**
 * A small load generator for the engine benchmark: volume and a realistic
 * event mix (joins, leaves, likes, comments, counts, orders, some farms), no
 * labels. Each room runs back-to-back streams; events come one second of
 * event time at a time, slightly out of order, as committed batches would.
 */
export interface LoadShape {
  rooms: number;
  viewersPerRoom: number;
  streamMinutes: number;
  /** Share of rooms with an emulator farm joining in steps and a comment script. */
  attackedShare: number;
  seed: number;
}

const MODELS = ['iPhone15,2', 'iPhone14,5', 'SM-S918B', 'SM-A546E', 'M2102J20SG', 'V2227A', 'PGT-AN10', 'CPH2451', 'Pixel 8', 'RMX3700', 'LIO-AN00'];
const LINES = ['主播好', '666', '这个多少钱', 'how much?', '上链接', '有没有大码', '哈哈哈哈', 'love this', '刚下单了', '什么时候发货', '❤️❤️', '1', 'is it waterproof?', '已关注', '包邮吗', '颜色好看', '质量怎么样', 'W', 'lol', '求讲解一下这个'];
const SCRIPT = ['宝宝们这个面霜真的好用，已经回购{n}次了！', '寶寶們這個精華真的好用，已經回購{n}次了～', '宝宝们这个口红真的好用，已经回购{n}次了😍'];

export interface RoomState {
  roomId: string;
  streamNo: number;
  streamId: string;
  streamStart: number;
  present: string[];
  nextViewer: number;
  attacked: boolean;
  farm: string[];
}

export class LoadGenerator {
  private readonly random: () => number;
  readonly rooms: RoomState[] = [];
  private delayed: RoomEvent[] = [];
  private seq = 0;
  now: number;

  constructor(
    private readonly shape: LoadShape,
    readonly t0 = Date.UTC(2026, 0, 10, 12, 0, 0),
  ) {
    this.random = rng(shape.seed);
    this.now = t0;
    for (let r = 0; r < shape.rooms; r++) {
      this.rooms.push({
        roomId: `room-${r}`,
        streamNo: -1,
        streamId: '',
        // Streams start staggered over the first minute, as a real evening's would.
        streamStart: t0 + Math.floor(this.random() * 60) * 1_000,
        present: [],
        nextViewer: 0,
        attacked: this.random() < shape.attackedShare,
        farm: [],
      });
    }
  }

  /** Concurrent viewers right now, over all rooms. */
  presentViewers(): number {
    let n = 0;
    for (const room of this.rooms) n += room.present.length;
    return n;
  }

  /** Events of the next second of event time, committed slightly out of order. */
  nextSecond(): RoomEvent[] {
    const out: RoomEvent[] = this.delayed;
    this.delayed = [];
    const now = this.now;
    for (const room of this.rooms) this.roomSecond(room, now, out);
    this.now += 1_000;
    // Shuffle within the second (several connections), and hold 1% back by 2–4 s (late but within lateness).
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    const kept: RoomEvent[] = [];
    for (const event of out) {
      if (this.random() < 0.01 && event.ts > now - 1_000) this.delayed.push(event);
      else kept.push(event);
    }
    return kept;
  }

  private roomSecond(room: RoomState, now: number, out: RoomEvent[]): void {
    const shape = this.shape;
    const random = this.random;
    if (now < room.streamStart) return;
    const streamMs = shape.streamMinutes * 60_000;
    if (room.streamNo < 0 || now >= room.streamStart + streamMs) {
      if (room.streamNo >= 0) {
        out.push({ ...this.base(room, now), type: 'stream.ended' });
        room.streamStart = now + 10_000;
        room.streamNo++;
        room.streamId = '';
        room.present = [];
        room.farm = [];
        return;
      }
      room.streamNo = 0;
    }
    if (room.streamId === '') {
      if (now < room.streamStart) return;
      room.streamId = `${room.roomId}-s${room.streamNo}`;
      out.push({ ...this.base(room, now), type: 'stream.started', merchantId: `merchant-${room.roomId}` });
    }
    const elapsed = now - room.streamStart;
    const ts = (): number => now + Math.floor(random() * 1_000);
    // Churn: mean watch time 10 minutes, arrivals keep the room near its size.
    const leaves = poisson(random, room.present.length / 600);
    for (let i = 0; i < leaves && room.present.length > 0; i++) {
      const index = Math.floor(random() * room.present.length);
      const accountId = room.present[index];
      room.present[index] = room.present[room.present.length - 1];
      room.present.pop();
      out.push({ ...this.base(room, ts()), type: 'viewer.left', accountId });
    }
    const target = shape.viewersPerRoom;
    const joins = room.present.length < target ? Math.min(target - room.present.length, 2 + poisson(random, target / 60)) : poisson(random, target / 600);
    for (let i = 0; i < joins; i++) {
      const accountId = `${room.roomId}-u${room.nextViewer++}`;
      room.present.push(accountId);
      const model = MODELS[Math.floor(random() * MODELS.length)];
      out.push({
        ...this.base(room, ts()),
        type: 'viewer.joined',
        accountId,
        accountCreatedAt: now - Math.floor((30 + random() * 2_000) * 86_400_000),
        device: { model, os: model.startsWith('iPhone') ? 'iOS 17' : 'Android 14', emulator: false, rooted: false },
        deviceId: `d-${Math.floor(random() * 1e12).toString(36)}`,
        ip: `${1 + Math.floor(random() * 220)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${1 + Math.floor(random() * 250)}`,
      });
    }
    const pick = (): string | undefined => room.present[Math.floor(random() * room.present.length)];
    for (let i = poisson(random, room.present.length / 60); i > 0; i--) {
      const accountId = pick();
      if (accountId !== undefined) out.push({ ...this.base(room, ts()), type: 'like', accountId, count: 1 + Math.floor(random() * 10) });
    }
    for (let i = poisson(random, room.present.length / 100); i > 0; i--) {
      const accountId = pick();
      if (accountId !== undefined) out.push({ ...this.base(room, ts()), type: 'comment', accountId, text: LINES[Math.floor(random() * LINES.length)] });
    }
    if (random() < room.present.length / 4_000) {
      const accountId = pick();
      if (accountId !== undefined) {
        out.push({
          ...this.base(room, ts()),
          type: 'order.placed',
          accountId,
          orderId: `o-${this.seq}`,
          skuId: 'sku-1',
          quantity: 1,
          unitPrice: 9_900,
          listPrice: 12_900,
          currency: 'CNY',
        });
      }
    }
    if (elapsed % 5_000 < 1_000) {
      out.push({ ...this.base(room, now), type: 'viewer.count', displayed: room.present.length + room.farm.length });
    }
    if (room.attacked) this.farmSecond(room, now, elapsed, out);
  }

  /** An emulator farm: 4 steps of 30 accounts 45 s apart from minute 3, then a comment script every ~20 s. */
  private farmSecond(room: RoomState, now: number, elapsed: number, out: RoomEvent[]): void {
    const step = Math.floor((elapsed - 180_000) / 45_000);
    if (elapsed >= 180_000 && (elapsed - 180_000) % 45_000 < 1_000 && step < 4) {
      for (let i = 0; i < 30; i++) {
        const accountId = `${room.streamId}-farm${room.farm.length}`;
        const n = room.farm.length;
        room.farm.push(accountId);
        out.push({
          ...this.base(room, now + i * 5),
          type: 'viewer.joined',
          accountId,
          accountCreatedAt: now - 2 * 86_400_000 + n * 30_000,
          device: { model: 'SM-G9810', os: 'Android 9', emulator: true },
          deviceId: `${room.streamId}-fd${n >> 2}`,
          ip: `103.21.${n >> 4}.${n % 16}`,
        });
      }
    }
    if (room.farm.length > 0 && elapsed % 20_000 < 1_000) {
      for (const accountId of room.farm.slice(0, 20)) {
        const text = SCRIPT[Math.floor(this.random() * SCRIPT.length)].replace('{n}', String(2 + Math.floor(this.random() * 8)));
        out.push({ ...this.base(room, now + Math.floor(this.random() * 600)), type: 'comment', accountId, text });
      }
    }
  }

  private base(room: RoomState, ts: number): { id: string; roomId: string; streamId: string; ts: number } {
    return { id: `ev-${this.seq++}`, roomId: room.roomId, streamId: room.streamId, ts };
  }
}

function poisson(random: () => number, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(random)));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
