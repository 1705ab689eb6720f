import type { Logger } from '@nestjs/common';
import type { Socket } from 'socket.io';
import type { ApiKeyRole } from './api-key.js';
import type { ApiKeysService } from './api-keys.service.js';
import type { FailedAuthLimiter } from './failed-auth-limiter.js';
import type { Principal } from './principal.js';

type Middleware = (socket: Socket, next: (error?: Error) => void) => void;

/**
 * The socket.io handshake every keyed namespace uses: the key in
 * `auth.token`, of the namespace's role. A failure counts against the
 * address's failed-authentication limit and is logged; a limited address gets
 * `connect_error` without its key being looked at.
 */
export function keyHandshake(options: {
  namespace: string;
  role: ApiKeyRole;
  apiKeys: ApiKeysService;
  failures: FailedAuthLimiter;
  logger: Logger;
  accept: (socket: Socket, principal: Principal) => void;
}): Middleware {
  const where = `socket.io ${options.namespace}`;
  return (socket, next) => {
    const address = socket.handshake.address;
    const wait = options.failures.retryAfterSeconds(address);
    if (wait > 0) return next(new Error(`too many failed authentications from this address; retry in ${wait} s`));
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    const secret = typeof token === 'string' ? token : undefined;
    options.apiKeys
      .authenticate(secret)
      .then((principal) => {
        if (!principal) {
          options.failures.recordFailure(address, where, secret ? 'unknown or revoked key' : 'no key in auth.token', secret);
          return next(new Error('unauthorized'));
        }
        if (principal.role !== options.role) return next(new Error(`unauthorized: a ${options.role} key is required`));
        options.accept(socket, principal);
        next();
      })
      .catch((error: Error) => {
        options.logger.warn(`${options.namespace} handshake failed: ${error.message}`);
        next(new Error('unavailable'));
      });
  };
}
