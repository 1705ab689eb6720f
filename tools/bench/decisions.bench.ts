/**
 * Decision latency under load, on the built service: decisions sent open
 * loop at fixed rates (1,000 and 5,000/s by default), over HTTP
 * (POST /v1/decisions, keep-alive) and over socket.io (`decide` on
 * /ingest), while four socket.io connections carry ordinary traffic
 * (comments, likes, joins) at 20,000 events/s. Latency is measured from each
 * request's SCHEDULED send time, so a service that falls behind shows it (no
 * coordinated omission).
 *
 * Each process kind is measured: an ingest node (ROOMWATCH_ROLE=ingest, as
 * production serves decisions, detection on its own workers elsewhere) and
 * all in one (ROOMWATCH_ROLE=all, detection on the same Node thread). Each
 * is then restarted with DECISIONS_BENCH_BARE=true (the event stored through
 * the same writer, a constant answered) under the same load: the ceiling the
 * decision's own work (features, rules, the decision row) is measured
 * against. The load generator shares the machine with the service and
 * PostgreSQL.
 *
 * Run: npm run bench:decisions
 *   (options: --rates 1000,5000 --seconds 10 --ingest 20000 --transports http,socket --roles ingest,all)
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { parseArgs } from 'node:util';
import { quantile } from 'simple-statistics';
import type { Socket } from 'socket.io-client';
import { createApiKey } from '../simulator/service-harness.js';
import { connectSocket } from './socket.js';
import { type ServiceProcess, startServiceProcess } from '../../test/support/service-process.js';
import { dropDatabase, uniqueDatabaseUrl } from '../../test/support/test-app.js';

const { values: args } = parseArgs({
  options: {
    rates: { type: 'string', default: '1000,5000' },
    seconds: { type: 'string', default: '10' },
    ingest: { type: 'string', default: '20000' },
    transports: { type: 'string', default: 'http,socket' },
    roles: { type: 'string', default: 'ingest,all' },
  },
});
const RATES = String(args.rates).split(',').map(Number);
const SECONDS = Number(args.seconds);
const INGEST_RATE = Number(args.ingest);
type Transport = 'http' | 'socket';
const TRANSPORTS = String(args.transports).split(',') as Transport[];
type Role = 'ingest' | 'all';
const ROLES = String(args.roles).split(',') as Role[];
const ADMIN_KEY = 'bench-admin-key-0123456789abcdef0123456789';
const T0 = 1_764_000_000_000;
const ROOMS = 20;
const run = randomBytes(3).toString('hex');

interface Phase {
  transport: Transport;
  rate: number;
  sent: number;
  answered: number;
  failed: number;
  latencies: number[];
  ingested: number;
  seconds: number;
}

/** Ordinary room traffic, paced to INGEST_RATE in batches of 500 over four connections. */
class BackgroundIngest {
  private running = false;
  private sockets: Socket[] = [];
  private counter = 0;
  accepted = 0;
  private lanes: Array<Promise<void>> = [];

  async start(baseUrl: string, token: string): Promise<void> {
    if (INGEST_RATE <= 0) return;
    for (let c = 0; c < 4; c++) this.sockets.push(await connectSocket(baseUrl, '/ingest', token));
    this.running = true;
    const batch = 500;
    const perLaneInterval = (batch * this.sockets.length * 1000) / INGEST_RATE;
    this.lanes = this.sockets.map(async (socket, lane) => {
      let due = performance.now() + (lane * perLaneInterval) / this.sockets.length;
      while (this.running) {
        const wait = due - performance.now();
        // In steps of at most 100 ms, so stop() is heard at a low rate too.
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 100)));
        if (wait > 100) continue;
        due += perLaneInterval;
        const ack = (await socket.timeout(60_000).emitWithAck('events', this.batch(batch))) as { accepted: number };
        this.accepted += ack.accepted;
      }
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.lanes);
    for (const socket of this.sockets) socket.disconnect();
  }

  private batch(size: number): Array<Record<string, unknown>> {
    const events: Array<Record<string, unknown>> = [];
    for (let k = 0; k < size; k++) {
      const i = this.counter++;
      const room = i % ROOMS;
      const base = { id: `bg-${run}-${i}`, roomId: `room-${room}`, streamId: `stream-${run}-${room}`, ts: T0 + 600_000 + i, accountId: `viewer-${i % 200_003}`, deviceId: `vdev-${i % 190_001}`, ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` };
      const pick = i % 10;
      if (pick < 5) events.push({ ...base, type: 'comment', text: `这个多少钱 size ${i % 7}? 666` });
      else if (pick < 8) events.push({ ...base, type: 'like', count: 1 + (i % 5) });
      else events.push({ ...base, type: 'viewer.joined', accountCreatedAt: T0 - (i % 900) * 86_400_000, device: { model: 'Pixel 8', os: 'Android 15' } });
    }
    return events;
  }
}

let decisionCounter = 0;
const failures = new Map<string, number>();
/** A decision request: mostly flash-sale orders around the openings, some coupon claims and joins. */
function decisionEvent(): Record<string, unknown> {
  const i = decisionCounter++;
  const room = i % ROOMS;
  const account = `buyer-${(i * 7919) % 60_007}`;
  const base = { id: `dec-${run}-${i}`, roomId: `room-${room}`, streamId: `stream-${run}-${room}`, accountId: account, deviceId: `bdev-${(i * 31) % 40_009}`, ip: `172.16.${(i >> 8) & 255}.${i & 255}` };
  const pick = i % 10;
  if (pick < 7) {
    return {
      ...base, type: 'order.placed', ts: T0 + 600_000 + (i % 2_000) - 200, orderId: `bo-${run}-${i}`, skuId: `sku-${room}`, quantity: 1 + (i % 2),
      unitPrice: 990, listPrice: 5_900, currency: 'CNY', paymentAccountHash: `pay-${(i * 13) % 30_011}`, device: { model: 'Redmi K70', os: 'Android 14', rooted: i % 97 === 0, cloudPhone: i % 211 === 0 },
    };
  }
  if (pick < 9) return { ...base, type: 'coupon.claimed', ts: T0 + 600_000 + i, couponId: `cpn-${run}-${i}`, campaignId: `camp-${room % 3}`, value: 1_000 };
  return { ...base, type: 'viewer.joined', ts: T0 + 600_000 + i, accountCreatedAt: T0 - (i % 400) * 86_400_000 };
}

/** One decision request: resolves to null when answered, or to the cause of the failure. */
type Send = (body: Record<string, unknown>) => Promise<string | null>;

/**
 * POST /v1/decisions over keep-alive connections (node:http, far cheaper per
 * request than fetch, so the client takes less of the machine it shares).
 * At most MAX_OPEN requests are open at once: what is due beyond that waits
 * in the agent's queue, and its wait counts, latency being taken from the schedule.
 */
function httpSender(baseUrl: string, token: string): { send: Send; close: () => void } {
  const MAX_OPEN = 128;
  const agent = new http.Agent({ keepAlive: true, maxSockets: MAX_OPEN });
  const url = new URL('/v1/decisions', baseUrl);
  const send: Send = (event) =>
    new Promise((resolve) => {
      const body = JSON.stringify(event);
      const request = http.request(url, { method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode === 200 ? null : `HTTP ${response.statusCode}`));
      });
      request.on('error', (error) => resolve(error.message));
      request.end(body);
    });
  return { send, close: () => agent.destroy() };
}

/** socket.io `decide` on /ingest (CONTRACT.md §7), round robin over four connections, the decision as the ack. */
async function socketSender(baseUrl: string, token: string): Promise<{ send: Send; close: () => void }> {
  const sockets = await Promise.all([0, 1, 2, 3].map(() => connectSocket(baseUrl, '/ingest', token)));
  let next = 0;
  const send: Send = async (event) => {
    const socket = sockets[next++ % sockets.length]!;
    try {
      const ack = (await socket.timeout(60_000).emitWithAck('decide', event)) as { decision?: string; error?: { code: string } };
      return ack.decision !== undefined ? null : `ack ${ack.error?.code ?? 'without a decision'}`;
    } catch (error) {
      return (error as Error).message;
    }
  };
  return { send, close: () => sockets.forEach((socket) => socket.disconnect()) };
}

async function loadPhase(transport: Transport, send: Send, rate: number, background: BackgroundIngest): Promise<Phase> {
  const latencies: number[] = [];
  let answered = 0;
  let failed = 0;
  const total = rate * SECONDS;
  const interval = 1000 / rate;
  const ingestedBefore = background.accepted;
  const started = performance.now();
  const inFlight: Array<Promise<void>> = [];
  for (let k = 0; k < total; k++) {
    const scheduled = started + k * interval;
    const wait = scheduled - performance.now();
    // Timers are coarse: send whatever is due every millisecond or so.
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(
      send(decisionEvent()).then((failure) => {
        if (failure === null) {
          answered++;
          latencies.push(performance.now() - scheduled);
        } else {
          failed++;
          failures.set(failure, (failures.get(failure) ?? 0) + 1);
        }
      }),
    );
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - started) / 1000;
  return { transport, rate, sent: total, answered, failed, latencies, ingested: background.accepted - ingestedBefore, seconds };
}

async function measure(role: Role, bare: boolean): Promise<Phase[]> {
  const databaseUrl = uniqueDatabaseUrl(`bench_decisions_${role}${bare ? '_bare' : ''}`);
  let service: ServiceProcess | undefined;
  try {
    service = await startServiceProcess({
      DATABASE_URL: databaseUrl, ADMIN_KEY, REDIS_PREFIX: `rwbench-dec-${run}-${role}-${bare ? 'b' : 'd'}`, DECISIONS_BENCH_BARE: String(bare), ROOMWATCH_ROLE: role,
    });
    const ingest = (await createApiKey(service.baseUrl, ADMIN_KEY, 'ingest')).key;
    const admin = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
    // The rooms' streams and flash sales, and a few rules, live and shadow, so rule evaluation is in the path.
    const setup: Array<Record<string, unknown>> = [];
    for (let room = 0; room < ROOMS; room++) {
      setup.push({ id: `st-${run}-${room}`, type: 'stream.started', roomId: `room-${room}`, streamId: `stream-${run}-${room}`, ts: T0, merchantId: `m-${room % 4}` });
      setup.push({ id: `so-${run}-${room}`, type: 'sale.opened', roomId: `room-${room}`, streamId: `stream-${run}-${room}`, ts: T0 + 600_000, skuId: `sku-${room}`, salePrice: 990, listPrice: 5_900, currency: 'CNY', stock: 500, perAccountLimit: 1 });
    }
    await fetch(`${service.baseUrl}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${ingest}`, 'content-type': 'application/json' }, body: JSON.stringify(setup) });
    const rules = [
      { id: 'bench-new-cloud', when: { and: [{ var: 'device.cloudPhone' }, { '<': [{ var: 'account.ageMs' }, 86_400_000] }] }, mode: 'live' },
      { id: 'bench-shared-pay', when: { '>=': [{ var: 'payment.accountCount' }, 3] }, mode: 'shadow' },
      { id: 'bench-fast-many', when: { and: [{ '<': [{ var: 'sale.msSinceOpen' }, 500] }, { '>': [{ var: 'device.accountCount' }, 2] }] }, mode: 'shadow' },
    ];
    for (const rule of rules) {
      await fetch(`${service.baseUrl}/v1/rules/${rule.id}`, {
        method: 'PUT', headers: admin,
        body: JSON.stringify({ description: rule.id, appliesTo: ['order.placed', 'coupon.claimed'], when: rule.when, score: 0.2, riskCode: rule.id.replaceAll('-', '_'), mode: rule.mode, enabled: true }),
      });
    }
    const background = new BackgroundIngest();
    await background.start(service.baseUrl, ingest);
    const phases: Phase[] = [];
    for (const transport of TRANSPORTS) {
      const sender = transport === 'http' ? httpSender(service.baseUrl, ingest) : await socketSender(service.baseUrl, ingest);
      await loadPhase(transport, sender.send, 200, background); // warm-up: connections, JIT
      for (const rate of RATES) phases.push(await loadPhase(transport, sender.send, rate, background));
      sender.close();
    }
    await background.stop();
    return phases;
  } finally {
    await service?.stop();
    await dropDatabase(databaseUrl);
  }
}

console.log(`roomwatch decisions bench: ${SECONDS} s per rate, rates ${RATES.join(', ')} decisions/s (open loop, latency from the scheduled send), ` +
  `ordinary ingest aimed at ${INGEST_RATE} events/s on 4 socket.io connections; 70% flash-sale orders, 20% coupon claims, 10% joins; 3 rules (1 live, 2 shadow)`);
const ROLE_LABEL: Record<Role, string> = { ingest: 'ingest node', all: 'all in one' };
const results: Array<{ role: Role; label: string; phases: Phase[] }> = [];
for (const role of ROLES) {
  results.push({ role, label: 'decision', phases: await measure(role, false) });
  results.push({ role, label: 'bare ceiling (store + constant)', phases: await measure(role, true) });
}
const ms = (samples: number[], q: number) => (samples.length === 0 ? '–' : quantile(samples, q).toFixed(1));
console.log('');
console.log('| process (ROOMWATCH_ROLE) | path | transport | target /s | answered /s | failed | p50 ms | p99 ms | max ms | ingest alongside, events/s |');
console.log('|---|---|---|---:|---:|---:|---:|---:|---:|---:|');
for (const { role, label, phases } of results) {
  for (const phase of phases) {
    const max = phase.latencies.length === 0 ? '–' : Math.max(...phase.latencies).toFixed(1);
    console.log(
      `| ${ROLE_LABEL[role]} (${role}) | ${label} | ${phase.transport} | ${phase.rate} | ${Math.round(phase.answered / phase.seconds)} | ${phase.failed} | ${ms(phase.latencies, 0.5)} | ${ms(phase.latencies, 0.99)} | ${max} | ${Math.round(phase.ingested / phase.seconds)} |`,
    );
  }
}
if (failures.size > 0) console.log(`failed requests by cause: ${JSON.stringify(Object.fromEntries(failures))}`);
