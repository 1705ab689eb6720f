import { Redis } from 'ioredis';
import { redactUrl } from './redact-url.js';
import { DependencyUnavailableError, describe } from './prepare-database.js';

/** Fails fast, with one line naming the URL, when Redis is not there at boot. */
export async function checkRedis(redisUrl: string): Promise<void> {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: 3_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new DependencyUnavailableError(`Redis is not reachable at ${redactUrl(redisUrl)}: ${describe(error)}`);
  } finally {
    redis.disconnect();
  }
}
