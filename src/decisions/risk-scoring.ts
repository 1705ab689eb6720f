import { DEFAULT_COUPON_ABUSE_CONFIG } from '../detection/promotions/coupon-abuse.detector.js';
import type { DecisionEventType, DecisionFeatures } from './decision-features.js';
import type { ListHit } from './decision-lists.js';
import { type CompiledRule, appliesTo } from './decision-rules.js';

export const DECISION_OUTCOMES = ['pass', 'review', 'reject'] as const;
export type DecisionOutcome = (typeof DECISION_OUTCOMES)[number];
export type CombinePolicy = 'sum' | 'max';

/**
 * The built-in risk codes: stable names platforms may key on (README
 * "Decisions"). Rules as data add their own `riskCode`s beside these.
 */
export const BUILT_IN_RISK_CODES = [
  'blocklisted',
  'graylisted',
  'allowlisted',
  'emulator',
  'rooted',
  'hooked',
  'cloud_phone',
  'multi_instance',
  'device_many_accounts',
  'ip_many_accounts',
  'subnet_many_accounts',
  'payment_many_accounts',
  'new_account',
  'before_sale_open',
  'machine_speed_after_open',
  'over_purchase_limit',
  'linked_over_purchase_limit',
  'reported_account',
  'confirmed_report_account',
  'ring_member',
  'coupon_below_min_spend',
  'coupon_reused',
  'coupon_pooled',
] as const;
export type BuiltInRiskCode = (typeof BUILT_IN_RISK_CODES)[number];

/**
 * What the built-in signals weigh and where they start. The bands: review at
 * 0.4, reject at 0.8 (DecisionPolicy). The weights are set so that no one
 * signal rejects, and every signal that honest people also show (shared
 * networks, speed, a rooted phone, a new account) stays below review alone:
 * reject needs two or three independent signals — who the account is, what it
 * shares, how it orders.
 */
export const RISK_THRESHOLDS = {
  /** Tools that make one handset many (emulators, cloud phones, hooks) are rare on honest phones but not proof: a developer runs an emulator. */
  weights: {
    emulator: 0.35,
    hooked: 0.4,
    cloud_phone: 0.4,
    multi_instance: 0.2,
    // Rooting is a hobby (custom ROMs) as well as a tool: weak alone.
    rooted: 0.15,
    device_many_accounts: 0.3,
    // Carrier NAT puts hundreds of strangers behind one IP and a campus behind one /24: IP counts alone must never reject, so they stay tiny.
    ip_many_accounts: 0.1,
    subnet_many_accounts: 0.05,
    payment_many_accounts: 0.3,
    new_account: 0.15,
    // The opening second is public, and the platform's own ts says the order came before it: a client that skipped the countdown. Review alone.
    before_sale_open: 0.5,
    // Honest fast fingers order within half a second, every time: speed alone is a whisper.
    machine_speed_after_open: 0.15,
    over_purchase_limit: 0.5,
    linked_over_purchase_limit: 0.3,
    reported_account: 0.2,
    confirmed_report_account: 0.6,
    // A reported ring is already judged as a whole (dense links and a corroborating sign): its members go to review.
    ring_member: 0.4,
    // The coupon's own rule broken at order time (its threshold not reached, or a coupon id spent twice): the platform's
    // checkout should have refused it, so a client that got past it goes to review; a person can still mistype a cart.
    coupon_below_min_spend: 0.5,
    coupon_reused: 0.5,
    // Spending the coupons of many other claimers is a pool (coupon_abuse's spentPooledCoupons); a parent spends the
    // household's two or three, which stays below `pooledClaimers`.
    coupon_pooled: 0.4,
  } satisfies Record<Exclude<BuiltInRiskCode, 'blocklisted' | 'graylisted' | 'allowlisted'>, number>,
  /** A household shares one handset or tablet among 2–4 people; five or more accounts on one device id is a farm's habit. */
  deviceAccounts: 5,
  /** Past hundreds behind one IP is a carrier NAT or an office; 50 only says "crowded", it is never alone a reason. */
  ipAccounts: 50,
  /** A /24 is a building, a campus or a data-centre rack; 100 accounts is "many" for one. */
  subnetAccounts: 100,
  /** A card or wallet pays for a family (2–3 accounts); four or more accounts on one payment account is a buying pool. */
  paymentAccounts: 4,
  /** Other claimers whose coupons of one campaign an account spent before it is a pool's spender: coupon abuse's own bar. */
  pooledClaimers: DEFAULT_COUPON_ABUSE_CONFIG.pooledClaimers,
  /** Accounts younger than a day at the decision: farms register the night before a sale. */
  newAccountMs: 24 * 60 * 60 * 1000,
  /** Before the official opening by more than this: clocks of one platform agree within a few hundred ms, so 0 would flag rounding. */
  beforeOpenToleranceMs: 0,
  /** Within this of the opening: a human sees the button change and taps in no less than ~300 ms (visual reaction ~250 ms plus the tap). */
  machineSpeedMs: 300,
} as const;

export interface DecisionPolicy {
  review: number;
  reject: number;
  combine: Record<DecisionEventType, CombinePolicy>;
}

export interface Signal {
  code: string;
  score: number;
  reason: string;
}

/** The built-in signals the features show, each with its sentence. */
export function builtInSignals(features: DecisionFeatures): Signal[] {
  const t = RISK_THRESHOLDS;
  const w = t.weights;
  const signals: Signal[] = [];
  const add = (code: keyof typeof w, reason: string) => signals.push({ code, score: w[code], reason });
  const d = features.device;
  if (d.emulator) add('emulator', 'The device reports an emulator.');
  if (d.rooted) add('rooted', 'The device is rooted.');
  if (d.hooked) add('hooked', 'An injection or hook framework was detected on the device.');
  if (d.cloudPhone) add('cloud_phone', 'The device is a cloud phone.');
  if (d.multiInstance) add('multi_instance', 'The app runs in an app cloner (several instances on one handset).');
  if (d.accountCount !== null && d.accountCount >= t.deviceAccounts) add('device_many_accounts', `The device has been used by ${d.accountCount} accounts.`);
  if (features.ip.accountCount !== null && features.ip.accountCount >= t.ipAccounts) add('ip_many_accounts', `The IP has been seen with ${features.ip.accountCount} accounts.`);
  if (features.subnet.accountCount !== null && features.subnet.accountCount >= t.subnetAccounts) {
    add('subnet_many_accounts', `The IP's subnet has been seen with ${features.subnet.accountCount} accounts.`);
  }
  if (features.payment.accountCount !== null && features.payment.accountCount >= t.paymentAccounts) {
    add('payment_many_accounts', `The payment account has paid for ${features.payment.accountCount} accounts.`);
  }
  if (features.account.ageMs !== null && features.account.ageMs < t.newAccountMs) {
    add('new_account', `The account is ${Math.max(0, Math.round(features.account.ageMs / 60_000))} minutes old.`);
  }
  const since = features.sale.msSinceOpen;
  if (since !== null && since < -t.beforeOpenToleranceMs) add('before_sale_open', `The order was placed ${-since} ms before the sale opened.`);
  else if (since !== null && since < t.machineSpeedMs) add('machine_speed_after_open', `The order came ${since} ms after the sale opened.`);
  const limit = features.sale.perAccountLimit;
  if (limit !== null && features.order.accountUnits !== null && features.order.accountUnits > limit) {
    add('over_purchase_limit', `The account ordered ${features.order.accountUnits} units against a limit of ${limit}.`);
  } else if (limit !== null && features.order.linkedUnits !== null && features.order.linkedUnits > limit && features.account.linkedAccounts > 0) {
    add('linked_over_purchase_limit', `The account and ${features.account.linkedAccounts} linked accounts ordered ${features.order.linkedUnits} units against a per-account limit of ${limit}.`);
  }
  if (features.account.confirmedReports > 0) add('confirmed_report_account', `The account is named in ${features.account.confirmedReports} confirmed reports.`);
  else if (features.account.openReports > 0) add('reported_account', `The account is named in ${features.account.openReports} open reports.`);
  if (features.account.ringId !== null) add('ring_member', `The account is a member of reported ring ${features.account.ringId}.`);
  const c = features.coupon;
  if (c.belowMinSpend === true) add('coupon_below_min_spend', 'The order is under the threshold of the coupon it uses.');
  if (c.otherUses !== null && c.otherUses > 0) add('coupon_reused', `The coupon was already used by ${c.otherUses} other order(s).`);
  if (c.pooledFrom !== null && c.pooledFrom >= t.pooledClaimers) add('coupon_pooled', `The account has spent the coupons of ${c.pooledFrom} other claimers of the campaign.`);
  return signals;
}

export interface MatchedRule {
  id: string;
  score: number;
  mode: 'live' | 'shadow';
}

export interface Verdict {
  decision: DecisionOutcome;
  score: number;
  riskCodes: string[];
  reasons: string[];
  rules: MatchedRule[];
}

export function combine(scores: readonly number[], policy: CombinePolicy): number {
  if (scores.length === 0) return 0;
  const total = policy === 'max' ? Math.max(...scores) : scores.reduce((sum, score) => sum + score, 0);
  return Math.min(1, Math.round(total * 1e6) / 1e6);
}

/**
 * The decision. Live rules and built-in signals add up under the event type's
 * policy; shadow rules are recorded and change nothing. List hits override
 * the score: block rejects, an allow hit passes (an operator vouched for it),
 * gray asks for review; block wins over allow, allow over gray.
 */
export function decide(features: DecisionFeatures, hits: readonly ListHit[], rules: readonly CompiledRule[], policy: DecisionPolicy): Verdict {
  const signals = builtInSignals(features);
  const matched: MatchedRule[] = [];
  const type = features.event.type;
  for (const rule of rules) {
    if (!rule.enabled || !appliesTo(rule, type) || !rule.test(features)) continue;
    matched.push({ id: rule.id, score: rule.score, mode: rule.mode });
    if (rule.mode === 'live') signals.push({ code: rule.riskCode, score: rule.score, reason: `Rule ${rule.id}: ${rule.description}` });
  }
  const score = combine(signals.map((signal) => signal.score), policy.combine[type]);
  const riskCodes = [...new Set(signals.map((signal) => signal.code))];
  const reasons = signals.map((signal) => signal.reason);
  const lists = (list: ListHit['list']) => hits.filter((hit) => hit.list === list);
  const describe = (hit: ListHit) => `${hit.type} ${hit.value}${hit.reason ? ` (${hit.reason})` : ''}`;
  const blocked = lists('block');
  const allowed = lists('allow');
  const grayed = lists('gray');
  let decision: DecisionOutcome = score >= policy.reject ? 'reject' : score >= policy.review ? 'review' : 'pass';
  const head: string[] = [];
  const codes: string[] = [];
  if (blocked.length > 0) {
    decision = 'reject';
    codes.push('blocklisted');
    head.push(`On the block list: ${blocked.map(describe).join(', ')}.`);
  } else if (allowed.length > 0) {
    decision = 'pass';
    codes.push('allowlisted');
    head.push(`On the allow list: ${allowed.map(describe).join(', ')}.`);
  } else if (grayed.length > 0) {
    if (decision === 'pass') decision = 'review';
    codes.push('graylisted');
    head.push(`On the gray list: ${grayed.map(describe).join(', ')}.`);
  }
  return { decision, score, riskCodes: [...codes, ...riskCodes], reasons: [...head, ...reasons], rules: matched };
}
