import type { DeviceInfo, RoomEvent, SaleOpened } from '../../../events/event.schema.js';
import type { Detector, StreamView } from '../../engine/detector.js';
import { DEFAULT_COHORT_DIRECTORY_CONFIG, InMemoryCohortDirectory } from '../../engine/cohort-directory.js';
import { densestSpan, round3, severityOf } from '../../shared/scoring.js';
import { type Few, addToFew, fewSize, fewValues, withFew } from '../../shared/few.js';
import type { ViewerProfile } from '../../shared/viewer-profile.js';
import type { ScalperBotConfig } from './scalper-bot.config.js';
import type {
  OpeningSecondEvidence,
  ScalperAddressEvidence,
  ScalperBotAccountEvidence,
  ScalperBotRoomEvidence,
  ScalperDeviceEvidence,
  ScalperGroupEvidence,
  ScalperHowSignal,
  ScalperOrderLatency,
  ScalperOtherRoom,
  ScalperPaymentEvidence,
  ScalperSaleEvidence,
  ScalperShareSignal,
  ScalperSignal,
  ScalperWhoSignal,
} from './scalper-bot.evidence.js';

/** One order as the detector keeps it: who, from where, how it pays and ships, and what the account was at that moment. */
interface OrderRecord {
  orderId: string;
  accountId: string;
  ts: number;
  quantity: number;
  unitPrice: number;
  deviceId: string | undefined;
  payment: string | undefined;
  address: string | undefined;
  /** Device flags of the order's device (order.placed.device, else the account's join). */
  flags: string[];
  model: string | undefined;
  /** The account had joined the stream before ordering. */
  watched: boolean;
  createdAt: number;
}

interface Sale {
  key: string;
  skuId: string;
  openedAt: number;
  stock: number;
  perAccountLimit: number | undefined;
  salePrice: number;
  final: boolean;
}

interface SaleVerdict {
  sale: Sale;
  evidence: ScalperSaleEvidence;
  flagged: string[];
  signals: ScalperSignal[];
  score: number;
  /** Per flagged account: its group's evidence. */
  groupOf: Map<string, ScalperGroupEvidence>;
}

interface ScalperBotState {
  sales: Sale[];
  orders: Map<string, OrderRecord[]>;
  /** Every device that joined or ordered, one entry each (a stream holds one per viewer's phone, so it is kept small). */
  devices: Map<string, DeviceSeen>;
  paymentAccounts: Map<string, Few>;
  verdicts: Map<string, SaleVerdict>;
  otherRooms: Map<string, ScalperOtherRoom>;
  lastSighting: string;
}

const FLAG_NAMES = ['emulator', 'rooted', 'hooked', 'cloudPhone', 'multiInstance'] as const;

/** One device as the stream saw it. */
interface DeviceSeen {
  accounts: Few;
  ips: Few | undefined;
  /** The model it first reported, once it reported one. */
  model: string | undefined;
  /** The FLAG_NAMES it ever reported, as bits (bit i: FLAG_NAMES[i]). */
  flags: number;
}
/** Sets per device / payment account stop growing here: past it the figure is "many" and memory stays bounded. */
const MAX_SET = 256;

/**
 * scalper_bot: automated or farmed accounts snapping up a limited drop. Per
 * stream, orders of a SKU are kept around each `sale.opened`; the rush is
 * judged on the stream's clock (30 s after the opening, at the window's end,
 * at stream end). Accounts that ordered are linked by a shared device or
 * payment account, and by a shared address when both carry a second sign
 * (tampered device, an order before the opening, a young account); each
 * linked group of five or more is judged on three families of signals,
 * who the accounts are, what they share and how they ordered, and flagged
 * only when how it ordered agrees with who it is or what it shares. Speed
 * alone (an honest fast finger), a shared address alone (a parcel locker) or
 * one family alone never decide. Accounts with no link at all but tampered
 * devices are judged as one cohort, on who and a machine's timing together.
 */
export class ScalperBotDetector implements Detector<ScalperBotState> {
  readonly name = 'scalper-bot';
  private readonly directory: InMemoryCohortDirectory;

  constructor(private readonly config: ScalperBotConfig) {
    this.directory = new InMemoryCohortDirectory({ ...DEFAULT_COHORT_DIRECTORY_CONFIG, minSharedAccounts: config.crossRoomMinShared });
  }

  createStreamState(): ScalperBotState {
    return {
      sales: [],
      orders: new Map(),
      devices: new Map(),
      paymentAccounts: new Map(),
      verdicts: new Map(),
      otherRooms: new Map(),
      lastSighting: '',
    };
  }

  onEvent(stream: StreamView, state: ScalperBotState, event: RoomEvent, _late: boolean, viewer: ViewerProfile | undefined): void {
    if (event.type === 'sale.opened') {
      this.openSale(stream, state, event);
      return;
    }
    if (event.deviceId !== undefined && viewer !== undefined && (event.type === 'viewer.joined' || event.type === 'order.placed')) {
      this.observeDevice(state, event.deviceId, viewer.accountId, event.ip, event.device);
    }
    if (event.type !== 'order.placed' || viewer === undefined) return;
    if (event.paymentAccountHash !== undefined) addToFew(state.paymentAccounts, event.paymentAccountHash, viewer.accountId, MAX_SET);
    const flags: string[] = [];
    const device = event.device;
    for (const flag of FLAG_NAMES) if (device?.[flag] === true) flags.push(flag);
    if (device === undefined) {
      if (viewer.emulator) flags.push('emulator');
      if (viewer.rooted) flags.push('rooted');
    }
    let orders = state.orders.get(event.skuId);
    if (orders === undefined) {
      orders = [];
      state.orders.set(event.skuId, orders);
    }
    if (orders.length >= this.config.maxOrdersPerSku) return;
    orders.push({
      orderId: event.orderId,
      accountId: viewer.accountId,
      ts: event.ts,
      quantity: event.quantity,
      unitPrice: event.unitPrice,
      deviceId: event.deviceId,
      payment: event.paymentAccountHash,
      address: event.addressHash,
      flags,
      model: device?.model ?? viewer.model,
      watched: viewer.joins > 0 && viewer.firstJoinedAt <= event.ts,
      createdAt: viewer.createdAt,
    });
  }

  onWindowClose(): void {}

  onTimer(stream: StreamView, state: ScalperBotState, at: number): void {
    for (const sale of state.sales) {
      if (sale.final || at < sale.openedAt + this.config.firstJudgementMs) continue;
      if (at >= sale.openedAt + this.config.rushWindowMs) sale.final = true;
      this.judge(stream, state, sale, at);
    }
  }

  onStreamEnd(stream: StreamView, state: ScalperBotState, at: number): void {
    for (const sale of state.sales) {
      if (sale.final) continue;
      sale.final = true;
      this.judge(stream, state, sale, at);
    }
  }

  trackedItems(state: ScalperBotState): number {
    let items = state.sales.length + state.devices.size + state.paymentAccounts.size;
    for (const orders of state.orders.values()) items += orders.length;
    return items;
  }

  private observeDevice(state: ScalperBotState, deviceId: string, accountId: string, ip: string | undefined, device: DeviceInfo | undefined): void {
    let seen = state.devices.get(deviceId);
    if (seen === undefined) {
      seen = { accounts: accountId, ips: ip, model: undefined, flags: 0 };
      state.devices.set(deviceId, seen);
    } else {
      seen.accounts = withFew(seen.accounts, accountId, MAX_SET);
      if (ip !== undefined) seen.ips = withFew(seen.ips, ip, MAX_SET);
    }
    if (device === undefined) return;
    seen.model ??= device.model;
    for (let bit = 0; bit < FLAG_NAMES.length; bit++) if (device[FLAG_NAMES[bit]!] === true) seen.flags |= 1 << bit;
  }

  private openSale(stream: StreamView, state: ScalperBotState, event: SaleOpened): void {
    const key = `${event.skuId}@${event.ts}`;
    if (state.sales.some((sale) => sale.key === key)) return;
    state.sales.push({ key, skuId: event.skuId, openedAt: event.ts, stock: event.stock, perAccountLimit: event.perAccountLimit, salePrice: event.salePrice, final: false });
    stream.registerTimer(this, event.ts + this.config.firstJudgementMs);
    stream.registerTimer(this, event.ts + this.config.rushWindowMs);
  }

  private judge(stream: StreamView, state: ScalperBotState, sale: Sale, at: number): void {
    const config = this.config;
    const until = Math.min(at, sale.openedAt + config.rushWindowMs);
    // The sale's orders: its SKU at its price in its window. The SKU bought at the everyday price before the drop is an ordinary purchase, not an early grab.
    const orders = (state.orders.get(sale.skuId) ?? []).filter((order) => order.ts >= sale.openedAt - config.preOpenMs && order.ts <= until && order.unitPrice <= sale.salePrice);
    const verdict = this.judgeSale(state, sale, orders);
    if (verdict === null) {
      state.verdicts.delete(sale.key);
    } else {
      state.verdicts.set(sale.key, verdict);
    }
    this.report(stream, state, at);
  }

  /** One sale's rush: groups, their signals, the verdict; null when nothing is flagged. */
  private judgeSale(state: ScalperBotState, sale: Sale, orders: readonly OrderRecord[]): SaleVerdict | null {
    const config = this.config;
    const byAccount = new Map<string, OrderRecord[]>();
    for (const order of orders) {
      const list = byAccount.get(order.accountId);
      if (list === undefined) byAccount.set(order.accountId, [order]);
      else list.push(order);
    }
    const accounts = [...byAccount.keys()];
    const index = new Map(accounts.map((account, i) => [account, i]));
    const parent = accounts.map((_, i) => i);
    const find = (i: number): number => {
      while (parent[i] !== i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
      }
      return i;
    };
    const union = (a: number, b: number): void => {
      const ra = find(a);
      const rb = find(b);
      if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
    };
    const marked = (account: string): boolean => {
      const list = byAccount.get(account) as OrderRecord[];
      return list.some((order) => order.flags.length > 0 || order.ts < sale.openedAt || isYoung(order, config.youngAccountMs));
    };
    const firstBy = new Map<string, number>();
    const link = (key: string, i: number): void => {
      const first = firstBy.get(key);
      if (first === undefined) firstBy.set(key, i);
      else union(first, i);
    };
    for (const order of orders) {
      const i = index.get(order.accountId) as number;
      if (order.deviceId !== undefined) link(`d\u0000${order.deviceId}`, i);
      if (order.payment !== undefined) link(`p\u0000${order.payment}`, i);
      // A parcel locker is shared by strangers: an address ties two accounts only when both carry a second sign.
      if (order.address !== undefined && marked(order.accountId)) link(`a\u0000${order.address}`, i);
    }
    const components = new Map<number, string[]>();
    for (const account of accounts) {
      const root = find(index.get(account) as number);
      const members = components.get(root);
      if (members === undefined) components.set(root, [account]);
      else members.push(account);
    }
    const modelCounts = new Map<string, number>();
    for (const list of byAccount.values()) {
      const model = list[0].model;
      if (model !== undefined) modelCounts.set(model, (modelCounts.get(model) ?? 0) + 1);
    }

    const groups: ScalperGroupEvidence[] = [];
    const groupOf = new Map<string, ScalperGroupEvidence>();
    const signals = new Set<ScalperSignal>();
    const grouped = new Set<string>();
    let bestScore = 0;
    const consider = (members: string[], cohort: boolean): void => {
      const judged = this.judgeGroup(state, sale, members, byAccount, modelCounts, accounts.length);
      const how = judged.signals.filter((signal): signal is ScalperHowSignal => HOW.has(signal));
      const who = judged.signals.some((signal) => WHO.has(signal));
      const share = judged.signals.some((signal) => SHARE.has(signal));
      // How it ordered must agree with who it is or what it shares; a cohort of small or no links needs a machine's timing, not just stock.
      const flagged = (who || share) && (cohort ? how.some((signal) => signal !== 'stockTaken') : how.length > 0);
      if (!flagged) return;
      const families = (who ? 1 : 0) + (share ? 1 : 0) + 1;
      bestScore = Math.max(bestScore, Math.min(1, 0.45 + 0.1 * families + 0.05 * judged.signals.length));
      groups.push(judged.evidence);
      for (const signal of judged.signals) signals.add(signal);
      for (const member of members) groupOf.set(member, judged.evidence);
    };
    for (const members of components.values()) {
      if (members.length < config.minGroupAccounts) continue;
      for (const member of members) grouped.add(member);
      consider(members, false);
    }
    // A cohort is judged on its core: the accounts whose first order falls in its densest spread of the tight-latency width, or that ordered before the opening.
    // Honest people on rooted phones or family tablets order seconds apart; a program lands together, so the core is the program's.
    const first = (member: string): number => Math.min(...(byAccount.get(member) as OrderRecord[]).map((order) => order.ts)) - sale.openedAt;
    const core = (members: readonly string[]): string[] => {
      const after = members.map(first).filter((latency) => latency >= 0).sort((a, b) => a - b);
      const dense = densestSpan(after, config.tightLatency.maxIqrMs);
      const inside = (latency: number): boolean => dense.count > 0 && latency >= dense.from && latency <= dense.to;
      // The busiest instant of an honest rush draws everyone alike: the core counts only when the cohort crowds it far more than the rest of the sale's buyers do.
      const memberSet = new Set(members);
      const rest = accounts.filter((account) => !memberSet.has(account));
      const restShare = rest.length === 0 ? 0 : rest.filter((account) => inside(first(account))).length / rest.length;
      const crowded = after.length > 0 && dense.count / after.length >= config.cohortCrowding * Math.max(restShare, 0.01);
      return members.filter((member) => {
        const latency = first(member);
        return latency < 0 || (crowded && inside(latency));
      });
    };
    const tampered = core(accounts.filter((account) => !grouped.has(account) && (byAccount.get(account) as OrderRecord[]).some((order) => order.flags.length > 0)));
    if (tampered.length >= config.minTamperedCohort) consider(tampered, true);
    // A ring split over many phones, a few accounts each and no other link: its groups are each too small, together they are one farm.
    const onSharedPhones = core(accounts.filter(
      (account) =>
        !grouped.has(account) &&
        !groupOf.has(account) &&
        (byAccount.get(account) as OrderRecord[]).some((order) => order.deviceId !== undefined && fewSize(state.devices.get(order.deviceId)?.accounts) >= config.minAccountsPerSharedDevice),
    ));
    if (onSharedPhones.length >= config.minTamperedCohort) consider(onSharedPhones, true);
    if (groups.length === 0) return null;

    const flagged = accounts.filter((account) => groupOf.has(account));
    const flaggedSet = new Set(flagged);
    let flaggedQuantity = 0;
    for (const order of orders) if (flaggedSet.has(order.accountId)) flaggedQuantity += order.quantity;
    groups.sort((a, b) => b.accountCount - a.accountCount);
    const evidence: ScalperSaleEvidence = {
      skuId: sale.skuId,
      openedAt: sale.openedAt,
      stock: sale.stock,
      perAccountLimit: sale.perAccountLimit ?? null,
      saleOrders: orders.length,
      ordersBeforeOpen: orders.filter((order) => order.ts < sale.openedAt).length,
      shareOfStockTaken: round3(Math.min(1, flaggedQuantity / sale.stock)),
      groups: groups.slice(0, 10),
      openingSecond: this.histogram(sale, orders, flaggedSet),
    };
    return { sale, evidence, flagged, signals: [...signals], score: bestScore, groupOf };
  }

  private judgeGroup(
    state: ScalperBotState,
    sale: Sale,
    members: readonly string[],
    byAccount: ReadonlyMap<string, OrderRecord[]>,
    modelCounts: ReadonlyMap<string, number>,
    saleAccounts: number,
  ): { signals: ScalperSignal[]; evidence: ScalperGroupEvidence } {
    const config = this.config;
    const size = members.length;
    const orders = members.flatMap((member) => byAccount.get(member) as OrderRecord[]);
    const signals: ScalperSignal[] = [];
    const share = (count: number): boolean => count / size >= config.whoShare;
    const covered = (test: (order: OrderRecord) => boolean): number => members.filter((member) => (byAccount.get(member) as OrderRecord[]).some(test)).length;

    // Who the accounts are.
    const who: Array<[ScalperWhoSignal, boolean]> = [
      ['tamperedDevices', share(covered((order) => order.flags.length > 0))],
      ['youngAccounts', share(covered((order) => isYoung(order, config.youngAccountMs)))],
      ['neverWatched', share(covered((order) => !order.watched))],
      ['oneOldModel', this.oneModel(members, byAccount, modelCounts, saleAccounts)],
    ];
    for (const [signal, present] of who) if (present) signals.push(signal);

    // What they share (in the stream, not just this sale: a device on many accounts is that wherever they ordered).
    const sharedDevice = (order: OrderRecord): boolean => order.deviceId !== undefined && fewSize(state.devices.get(order.deviceId)?.accounts) >= config.minAccountsPerSharedDevice;
    const sharedPayment = (order: OrderRecord): boolean => order.payment !== undefined && fewSize(state.paymentAccounts.get(order.payment)) >= config.minAccountsPerSharedPayment;
    const rotating = (order: OrderRecord): boolean => order.deviceId !== undefined && fewSize(state.devices.get(order.deviceId)?.ips) >= config.minIpsPerRotatingDevice;
    const addressAccounts = new Map<string, Few>();
    for (const order of orders) if (order.address !== undefined) addToFew(addressAccounts, order.address, order.accountId, MAX_SET);
    const drop = (order: OrderRecord): boolean => order.address !== undefined && fewSize(addressAccounts.get(order.address)) >= config.minAccountsPerDropAddress;
    const coverage = (count: number): boolean => count / size >= config.shareCoverage;
    const shares: Array<[ScalperShareSignal, boolean]> = [
      ['sharedDevices', coverage(covered(sharedDevice))],
      ['sharedPayments', coverage(covered(sharedPayment))],
      ['dropAddresses', coverage(covered(drop))],
      ['rotatingDevices', coverage(covered(rotating))],
    ];
    for (const [signal, present] of shares) if (present) signals.push(signal);

    // How they ordered.
    const beforeOpen = orders.filter((order) => order.ts < sale.openedAt).length;
    const firstLatencies = members
      .map((member) => Math.min(...(byAccount.get(member) as OrderRecord[]).map((order) => order.ts)) - sale.openedAt)
      .filter((latency) => latency >= 0)
      .sort((a, b) => a - b);
    const median = firstLatencies.length > 0 ? quantile(firstLatencies, 0.5) : null;
    const iqr = firstLatencies.length > 0 ? quantile(firstLatencies, 0.75) - quantile(firstLatencies, 0.25) : null;
    const quantity = orders.reduce((sum, order) => sum + order.quantity, 0);
    const stockShare = quantity / sale.stock;
    const tight = config.tightLatency;
    const how: Array<[ScalperHowSignal, boolean]> = [
      ['beforeOpen', beforeOpen >= config.minOrdersBeforeOpen],
      ['machineSpeed', firstLatencies.length >= tight.minLatencies && iqr !== null && iqr <= tight.maxIqrMs && median !== null && median <= tight.maxTightMedianMs],
      ['stockTaken', size >= config.minGroupAccounts && stockShare >= config.minStockShare],
    ];
    for (const [signal, present] of how) if (present) signals.push(signal);

    const max = config.maxListed;
    const deviceIds = unique(orders.map((order) => order.deviceId).filter((id): id is string => id !== undefined));
    const devices: ScalperDeviceEvidence[] = deviceIds
      .map((deviceId) => {
        const seen = state.devices.get(deviceId);
        return {
          deviceId,
          model: seen?.model ?? null,
          flags: seen ? FLAG_NAMES.filter((_, bit) => (seen.flags & (1 << bit)) !== 0) : [],
          accountIds: fewValues(seen?.accounts).slice(0, max),
          ipCount: fewSize(seen?.ips),
        };
      })
      .sort((a, b) => b.accountIds.length - a.accountIds.length)
      .slice(0, 20);
    const paymentAccounts: ScalperPaymentEvidence[] = unique(orders.map((order) => order.payment).filter((id): id is string => id !== undefined))
      .map((paymentAccountHash) => ({ paymentAccountHash, accountIds: fewValues(state.paymentAccounts.get(paymentAccountHash)).slice(0, max) }))
      .sort((a, b) => b.accountIds.length - a.accountIds.length)
      .slice(0, 20);
    const dropAddresses: ScalperAddressEvidence[] = [...addressAccounts]
      .map(([addressHash, held]) => ({ addressHash, accountCount: fewSize(held) }))
      .filter((entry) => entry.accountCount >= config.minAccountsPerDropAddress)
      .sort((a, b) => b.accountCount - a.accountCount)
      .slice(0, 20);
    const evidence: ScalperGroupEvidence = {
      signals,
      accountCount: size,
      quantity,
      shareOfStockTaken: round3(Math.min(1, stockShare)),
      limitMultiple: sale.perAccountLimit === undefined ? null : round3(quantity / sale.perAccountLimit),
      ordersBeforeOpen: beforeOpen,
      latencyMedianMs: median,
      latencyIqrMs: iqr,
      devices,
      paymentAccounts,
      dropAddresses,
      orderLatencies: orders.slice(0, max).map((order) => latencyOf(order, sale)),
    };
    return { signals, evidence };
  }

  /** An old or odd model far more common in the group than in the rest of the sale's buyers (an operation buys one model by the crate). */
  private oneModel(members: readonly string[], byAccount: ReadonlyMap<string, OrderRecord[]>, modelCounts: ReadonlyMap<string, number>, saleAccounts: number): boolean {
    const counts = new Map<string, number>();
    for (const member of members) {
      const model = (byAccount.get(member) as OrderRecord[])[0].model;
      if (model !== undefined) counts.set(model, (counts.get(model) ?? 0) + 1);
    }
    let top: string | undefined;
    let topCount = 0;
    for (const [model, count] of counts) {
      if (count > topCount) {
        top = model;
        topCount = count;
      }
    }
    if (top === undefined) return false;
    const outside = (modelCounts.get(top) ?? 0) - topCount;
    const others = saleAccounts - members.length;
    // 60 % of the group on one model that is under 5 % of everyone else's (the commonest honest phone is ~10 %).
    return topCount / members.length >= 0.6 && (others === 0 || outside / others <= 0.05);
  }

  private histogram(sale: Sale, orders: readonly OrderRecord[], flagged: ReadonlySet<string>): OpeningSecondEvidence {
    const { binMs, fromMs, toMs, maxBinAccounts } = this.config.histogram;
    const bins = new Map<number, { fromMs: number; orders: number; flaggedOrders: number; accountIds: string[] }>();
    for (const order of orders) {
      const latency = order.ts - sale.openedAt;
      if (latency < fromMs || latency >= toMs) continue;
      const from = Math.floor(latency / binMs) * binMs;
      let bin = bins.get(from);
      if (bin === undefined) {
        bin = { fromMs: from, orders: 0, flaggedOrders: 0, accountIds: [] };
        bins.set(from, bin);
      }
      bin.orders++;
      if (flagged.has(order.accountId)) bin.flaggedOrders++;
      if (bin.accountIds.length < maxBinAccounts) bin.accountIds.push(order.accountId);
    }
    return { openedAt: sale.openedAt, binMs, bins: [...bins.values()].sort((a, b) => a.fromMs - b.fromMs) };
  }

  /** The stream's room report and one account report per flagged account, from every sale's current verdict. */
  private report(stream: StreamView, state: ScalperBotState, at: number): void {
    const verdicts = [...state.verdicts.values()];
    if (verdicts.length === 0) return;
    const flagged = unique(verdicts.flatMap((verdict) => verdict.flagged));
    const sighting = flagged.join(',');
    if (sighting !== state.lastSighting) {
      state.lastSighting = sighting;
      for (const match of this.directory.recordSighting({ roomId: stream.roomId, streamId: stream.streamId, at, accounts: flagged })) {
        const known = state.otherRooms.get(match.streamId);
        if (known === undefined || known.sharedAccounts < match.sharedAccounts) {
          state.otherRooms.set(match.streamId, { roomId: match.roomId, streamId: match.streamId, at: match.at, sharedAccounts: match.sharedAccounts });
        }
      }
    }
    const otherRooms = [...state.otherRooms.values()].sort((a, b) => b.sharedAccounts - a.sharedAccounts).slice(0, 20);
    const signals = unique(verdicts.flatMap((verdict) => verdict.signals));
    const score = round3(Math.max(...verdicts.map((verdict) => verdict.score)));
    const severity = severityOf(score, this.config.score);
    const sales = verdicts.map((verdict) => verdict.evidence);
    const taken = Math.max(...sales.map((sale) => sale.shareOfStockTaken));
    const roomEvidence: ScalperBotRoomEvidence = {
      signals,
      drops: sales,
      otherRooms,
      accountsTotal: flagged.length,
      accountsListed: flagged.length,
    };
    stream.report(
      {
        kind: 'scalper_bot',
        subjectType: 'room',
        subjectId: stream.roomId,
        score,
        severity,
        summary: `${flagged.length} linked accounts took ${Math.round(taken * 100)}% of a limited drop's stock (${signals.join(', ')}).`,
        accounts: flagged,
        evidence: roomEvidence as unknown as Record<string, unknown>,
      },
      at,
    );
    for (const account of flagged) {
      const own = verdicts.filter((verdict) => verdict.groupOf.has(account));
      const groups = own.map((verdict) => verdict.groupOf.get(account) as ScalperGroupEvidence);
      const accountSignals = unique(groups.flatMap((group) => group.signals));
      const orders = own.flatMap((verdict) => this.ordersOf(state, verdict.sale, account));
      const devices = unique(groups.flatMap((group) => group.devices.filter((device) => device.accountIds.includes(account))));
      const payments = unique(groups.flatMap((group) => group.paymentAccounts.filter((payment) => payment.accountIds.includes(account))));
      const groupAccounts = unique(own.flatMap((verdict) => verdict.flagged.filter((other) => verdict.groupOf.get(other) === verdict.groupOf.get(account))));
      const createdAt = this.createdAtOf(state, account);
      const evidence: ScalperBotAccountEvidence = {
        signals: accountSignals,
        orderLatencies: orders,
        devices,
        paymentAccounts: payments,
        groupAccounts: groupAccounts.slice(0, this.config.maxListed),
        groupAccountCount: groupAccounts.length,
        accountCreatedAt: createdAt,
        otherRooms,
      };
      stream.report(
        {
          kind: 'scalper_bot',
          subjectType: 'account',
          subjectId: account,
          score,
          severity,
          summary: `One of ${groupAccounts.length} linked accounts that grabbed a limited drop (${accountSignals.join(', ')}).`,
          accounts: [account],
          evidence: evidence as unknown as Record<string, unknown>,
        },
        at,
      );
    }
  }

  private ordersOf(state: ScalperBotState, sale: Sale, account: string): ScalperOrderLatency[] {
    const config = this.config;
    const orders = state.orders.get(sale.skuId) ?? [];
    return orders
      .filter((order) => order.accountId === account && order.ts >= sale.openedAt - config.preOpenMs && order.ts <= sale.openedAt + config.rushWindowMs && order.unitPrice <= sale.salePrice)
      .map((order) => latencyOf(order, sale));
  }

  private createdAtOf(state: ScalperBotState, account: string): number | null {
    for (const orders of state.orders.values()) {
      for (const order of orders) if (order.accountId === account && order.createdAt >= 0) return order.createdAt;
    }
    return null;
  }
}

const WHO: ReadonlySet<ScalperSignal> = new Set<ScalperSignal>(['tamperedDevices', 'youngAccounts', 'neverWatched', 'oneOldModel']);
const SHARE: ReadonlySet<ScalperSignal> = new Set<ScalperSignal>(['sharedDevices', 'sharedPayments', 'dropAddresses', 'rotatingDevices']);
const HOW: ReadonlySet<ScalperSignal> = new Set<ScalperSignal>(['beforeOpen', 'machineSpeed', 'stockTaken']);

function isYoung(order: OrderRecord, youngMs: number): boolean {
  return order.createdAt >= 0 && order.ts - order.createdAt < youngMs;
}

function latencyOf(order: OrderRecord, sale: { openedAt: number }): ScalperOrderLatency {
  return { accountId: order.accountId, orderId: order.orderId, latencyMs: order.ts - sale.openedAt, quantity: order.quantity };
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

/** Linear-interpolated quantile of sorted values. */
function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return Math.round(sorted[low] + (sorted[high] - sorted[low]) * (position - low));
}
