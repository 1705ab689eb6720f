import { createHash } from 'node:crypto';
import { HttpException, HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';

/** Addresses tracked at once; past it the oldest windows are forgotten, so a spray of addresses cannot grow memory. */
const MAX_TRACKED_ADDRESSES = 100_000;

interface FailureWindow {
  failures: number;
  endsAt: number;
}

/**
 * Counts failed authentications per client address, on HTTP and on socket.io
 * handshakes alike. An address past AUTH_FAILURE_LIMIT in one window is refused
 * (429, `connect_error`) on every authenticated call until the window ends,
 * whatever key it sends: answering a correct guess would make the limit
 * pointless. Successful calls never count, so busy honest clients are never
 * slowed. @nestjs/throttler counts every request and its storage cannot be
 * read without counting a hit, hence this small limiter.
 *
 * The windows are this process's: N processes behind a balancer allow N times
 * the limit, which still turns hundreds of guesses a second into a handful.
 */
@Injectable()
export class FailedAuthLimiter {
  private readonly logger = new Logger('Authentication');
  private readonly windows = new Map<string, FailureWindow>();
  private readonly limit: number;
  private readonly windowMs: number;

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'AUTH_FAILURE_LIMIT' | 'AUTH_FAILURE_WINDOW_MS'>) {
    this.limit = config.AUTH_FAILURE_LIMIT;
    this.windowMs = config.AUTH_FAILURE_WINDOW_MS;
  }

  /** Whole seconds until the address may authenticate again; 0 when it may now. */
  retryAfterSeconds(address: string, now = Date.now()): number {
    const window = this.windows.get(address);
    if (!window) return 0;
    if (window.endsAt <= now) {
      this.windows.delete(address);
      return 0;
    }
    return window.failures >= this.limit ? Math.ceil((window.endsAt - now) / 1000) : 0;
  }

  /** Throws the 429 an HTTP caller gets while its address is limited. */
  assertAllowed(address: string, now = Date.now()): void {
    const wait = this.retryAfterSeconds(address, now);
    if (wait > 0) throw new TooManyFailedAuthentications(wait);
  }

  /**
   * Records and logs one failed authentication. The log names the address,
   * where and why, and at most a 12-hex-digit SHA-256 prefix of the secret
   * sent (API keys are stored as SHA-256, so an operator can match a revoked
   * key's hash); never the secret.
   */
  recordFailure(address: string, where: string, reason: string, secret?: string, now = Date.now()): void {
    let window = this.windows.get(address);
    if (!window || window.endsAt <= now) {
      this.windows.delete(address);
      if (this.windows.size >= MAX_TRACKED_ADDRESSES) this.forgetOldest(now);
      window = { failures: 0, endsAt: now + this.windowMs };
      this.windows.set(address, window);
    }
    window.failures++;
    const fingerprint = secret ? ` (key sha256:${createHash('sha256').update(secret).digest('hex').slice(0, 12)})` : '';
    const limited = window.failures >= this.limit ? ` (limit reached: refused for ${Math.ceil((window.endsAt - now) / 1000)} s)` : '';
    // A path can be 16 KB of the caller's choosing; the log keeps enough to tell routes apart.
    const route = where.length > 200 ? `${where.slice(0, 200)}…` : where;
    this.logger.warn(`authentication failed from ${address} on ${route}: ${reason}${fingerprint}; failure ${window.failures} of ${this.limit} this window${limited}`);
  }

  private forgetOldest(now: number): void {
    for (const [address, window] of this.windows) {
      if (window.endsAt <= now || this.windows.size >= MAX_TRACKED_ADDRESSES) this.windows.delete(address);
      else break;
    }
  }
}

export class TooManyFailedAuthentications extends HttpException {
  constructor(readonly retryAfterSeconds: number) {
    super(
      `Authorization: too many failed authentications from this address; retry in ${retryAfterSeconds} s`,
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
