import type { Principal } from '../../platform/auth/principal.js';

/**
 * Whether `principal` may see a stream owned by `merchantId` (CONTRACT.md
 * §4): reviewers see every stream, a merchant key only its own. A stream it
 * may not see answers exactly like an unknown one, so a merchant cannot probe
 * which stream ids exist. The one statement of the rule: the sales audit and
 * the console both ask it.
 */
export function mayViewStream(principal: Principal, merchantId: string | null): boolean {
  if (principal.role === 'reviewer') return true;
  return principal.role === 'merchant' && principal.merchantId !== null && merchantId === principal.merchantId;
}
