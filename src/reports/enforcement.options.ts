import { z } from 'zod';

/**
 * Delivery tuning. Read from the environment by the reports module because
 * AppConfig (src/config) is shared; e2e tests shorten the backoff through it.
 */
const enforcementOptionsSchema = z.object({
  /** Webhook attempts per delivery before it is left `failed` for a manual retry. */
  ENFORCEMENT_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  /** First retry delay; each later one doubles (BullMQ exponential backoff). */
  ENFORCEMENT_BACKOFF_MS: z.coerce.number().int().min(1).max(3_600_000).default(5_000),
  /** Per-request timeout of the webhook call. */
  ENFORCEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** How often pending deliveries are re-enqueued (outbox sweep), besides at boot. */
  ENFORCEMENT_SWEEP_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(60_000),
});

export type EnforcementOptions = z.infer<typeof enforcementOptionsSchema>;

export function loadEnforcementOptions(env: NodeJS.ProcessEnv = process.env): EnforcementOptions {
  const parsed = enforcementOptionsSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  throw new Error(
    `invalid enforcement configuration: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
  );
}

export const ENFORCEMENT_OPTIONS = Symbol('ENFORCEMENT_OPTIONS');
