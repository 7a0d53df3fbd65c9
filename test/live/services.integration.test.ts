import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mysqlQueries, redisStats } from '../../live/collect.ts';
import { reachable, resolveServices } from '../../live/services.ts';
import { ensureSchema } from '../../live/store.ts';

describe('real services for a live run', () => {
  it('starts private Redis and MariaDB from the installed binaries and removes them after', async () => {
    const lines: string[] = [];
    const s = await resolveServices({ forcePrivate: true, database: 'sim_live_private', log: (l) => lines.push(l) });
    try {
      expect(s.started).toHaveLength(2);
      expect(s.redis.port).not.toBe(6379);
      expect(s.mysql.port).not.toBe(3306);
      await ensureSchema(s.mysql);
      expect((await redisStats(s.redis)).hits).toBeGreaterThanOrEqual(0);
      expect(await mysqlQueries(s.mysql)).toBeGreaterThan(0);
    } finally {
      await s.stop();
    }
    expect(await reachable(s.redis.host, s.redis.port)).toBe(false);
    expect(await reachable(s.mysql.host, s.mysql.port)).toBe(false);
    const dirs = lines.map((l) => /data in (\S+)\)/.exec(l)?.[1]).filter(Boolean) as string[];
    expect(dirs).toHaveLength(2);
    for (const d of dirs) expect(existsSync(d)).toBe(false);
  }, 120_000);

  it('says exactly what is wrong when a configured server does not answer', async () => {
    await expect(resolveServices({ redisUrl: 'redis://127.0.0.1:1/0' })).rejects.toThrow(/Redis at REDIS_URL=redis:\/\/127\.0\.0\.1:1\/0 is not reachable; start it or unset REDIS_URL/);
    await expect(resolveServices({ mysqlUrl: 'mysql://root@127.0.0.1:1/x' })).rejects.toThrow(/MySQL at MYSQL_URL=.* is not reachable/);
    await expect(resolveServices({ redisUrl: 'http://nope' })).rejects.toThrow(/REDIS_URL must use redis:\/\//);
  });
});
