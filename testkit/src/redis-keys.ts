import type { Redis } from "ioredis";

/** Characters with a meaning in Redis MATCH patterns. */
const GLOB_SPECIAL = /[*?[\]\\]/g;

/**
 * Deletes every key starting with `prefix` (SCAN + UNLINK, never FLUSH: the server is shared)
 * and returns how many it deleted. Keys written while it runs may survive.
 */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  if (!prefix) throw new TypeError("refusing to delete keys with an empty prefix");
  const match = `${prefix.replace(GLOB_SPECIAL, "\\$&")}*`;
  let deleted = 0;
  for await (const keys of redis.scanStream({ match, count: 500 }) as AsyncIterable<string[]>) {
    if (keys.length) deleted += await redis.unlink(...keys);
  }
  return deleted;
}
