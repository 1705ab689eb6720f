import { z } from 'zod';

/** The service's environment, validated once at boot (CONTRACT.md §5). */
const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Listen address: every interface by default (containers); the demo and the test harnesses use 127.0.0.1. */
  HOST: z.string().min(1).max(255).default('0.0.0.0'),
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/roomwatch'),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  ADMIN_KEY: z
    .string({ error: 'ADMIN_KEY is required: set it to a secret of at least 32 characters (openssl rand -hex 32)' })
    .min(32, { error: 'ADMIN_KEY must be at least 32 characters (openssl rand -hex 32)' }),
  /**
   * Failed authentications one client address may make per window (HTTP and
   * socket handshakes together); past it every authenticated call from that
   * address answers 429 until the window ends. 20 a minute leaves room for a
   * person mistyping a key and stops guessing at hundreds a second.
   */
  AUTH_FAILURE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(20),
  AUTH_FAILURE_WINDOW_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(60_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Reports whose score reaches this are queued for enforcement without a reviewer (policy may override per kind). */
  AUTO_ENFORCE_SCORE: z.coerce.number().min(0).max(1).default(0.9),
  ENFORCEMENT_WEBHOOK_URL: z.string().url().optional(),
  ENFORCEMENT_WEBHOOK_SECRET: z.string().min(16).optional(),
  /** Webhook attempts per delivery before it is left `failed` for a manual retry. */
  ENFORCEMENT_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  /** First retry delay; each later one doubles (BullMQ exponential backoff). */
  ENFORCEMENT_BACKOFF_MS: z.coerce.number().int().min(1).max(3_600_000).default(5_000),
  /** Per-request timeout of the webhook call. */
  ENFORCEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** How often pending deliveries are re-enqueued (outbox sweep), besides at boot. */
  ENFORCEMENT_SWEEP_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(60_000),
  /**
   * What this process does. `all`: ingest, APIs and detection in one process
   * (the default). `ingest`: ingest and APIs; detection runs elsewhere.
   * `detect`: detection (and the APIs); it reads the log as ingest processes
   * announce commits through Redis. Rooms are detected by exactly one
   * `all` or `detect` process.
   */
  /**
   * How long a reviewer's claim on a report holds without a renewal. 15 min
   * is a long look at one case; a reviewer who walks away frees it for the
   * next one without anyone having to release it.
   */
  REVIEW_CLAIM_TTL_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(900_000),
  ROOMWATCH_ROLE: z.enum(['all', 'ingest', 'detect']).default('all'),
  /**
   * Detect workers (ROOMWATCH_ROLE=detect) hold the partitions of the log as
   * leases in PostgreSQL, renewed every third of this: a worker that dies
   * gives its partitions up to the others this long after its last renewal.
   * 10 s rides out a stop-the-world pause or a slow renewal under load and
   * keeps a dead worker's rooms unwatched for seconds, not minutes.
   */
  DETECT_LEASE_TTL_MS: z.coerce.number().int().min(300).max(600_000).default(10_000),
  /** Prefix for Redis keys and BullMQ queues, so several deployments (or test runs) can share one Redis. */
  REDIS_PREFIX: z.string().min(1).max(64).default('roomwatch'),
  /**
   * `/health/ready` answers 503 while detection in this process is further
   * behind the log than this many events. The default is twice what the
   * monitor keeps in memory before it falls back to reading the log: a
   * process that far behind is catching up, not serving fresh reports.
   */
  /**
   * Serve Prometheus metrics on this port (path /metrics, no key) instead of
   * behind the admin key on PORT. Unset: `GET /metrics` with the admin key.
   */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Address the metrics port listens on: loopback unless a scraper elsewhere needs it. */
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  READY_MAX_DETECTION_LAG: z.coerce.number().int().min(1).default(200_000),
  /**
   * Real-time decisions (src/decisions): the score from which a decision is
   * `review` (step up: CAPTCHA, SMS code) and `reject`. 0.4 is one strong
   * signal (an order before the opening, a hook framework); 0.8 takes two or
   * three independent ones (see src/decisions/risk-scoring.ts).
   */
  DECISION_REVIEW_SCORE: z.coerce.number().min(0).max(1).default(0.4),
  DECISION_REJECT_SCORE: z.coerce.number().min(0).max(1).default(0.8),
  /**
   * How live scores combine, per event type: `sum` (capped at 1) or `max`.
   * Comma-separated `type=policy`; unnamed types use `sum`, e.g.
   * `coupon.claimed=max,viewer.joined=max`.
   */
  DECISION_COMBINE: z
    .string()
    .regex(/^((order\.placed|coupon\.claimed|viewer\.joined|account\.registered)=(sum|max))?(,(order\.placed|coupon\.claimed|viewer\.joined|account\.registered)=(sum|max))*$/, {
      error: 'must be a comma-separated list of <decision event type>=sum|max',
    })
    .default(''),
  /** Off by default: when `true`, the accounts of confirmed reports are added to the block list (audited, actor `auto:confirmed-report`). */
  DECISIONS_BLOCK_CONFIRMED: z.enum(['true', 'false'], { error: 'must be true or false' }).default('false').transform((value) => value === 'true'),
  /**
   * Benchmarks only (tools/bench/decisions.bench.ts): POST /v1/decisions and
   * `decide` store the event exactly as a decision does and answer a constant
   * `pass`, the ceiling a decision's own work is measured against. Never set
   * it in production.
   */
  DECISIONS_BENCH_BARE: z.enum(['true', 'false'], { error: 'must be true or false' }).default('false').transform((value) => value === 'true'),
});

export type AppConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = configSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
}

/** Nest injection token for the validated config. */
export const APP_CONFIG = Symbol('APP_CONFIG');
