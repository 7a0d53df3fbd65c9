import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { pidAlive, waitGone } from '../../../live/children.ts';
import { mysqlQueries, redisStats } from '../../../live/run/collect.ts';
import { PRIVATE_MYSQL_MAX_CONNECTIONS, reachable, reapLeftovers, resolveServices } from '../../../live/run/services.ts';
import { ensureSchema } from '../../../live/server/store.ts';

describe('real services for a live run', () => {
  it('starts private Redis and MariaDB from the installed binaries and removes them after', async () => {
    const lines: string[] = [];
    const s = await resolveServices({ forcePrivate: true, database: 'sim_live_private', log: (l) => lines.push(l) });
    try {
      expect(s.started).toHaveLength(2);
      expect(s.redis.port).not.toBe(6379);
      expect(s.mysql.port).not.toBe(3306);
      await ensureSchema(s.mysql);
      // the counters move with what a client does (nothing else uses a private instance)
      const before = await redisStats(s.redis);
      const r = new Redis({ host: s.redis.host, port: s.redis.port });
      await r.set('k', 'v');
      await r.get('k');
      await r.get('missing');
      r.disconnect();
      const after = await redisStats(s.redis);
      expect([after.hits - before.hits, after.misses - before.misses]).toEqual([1, 1]);
      expect(await mysqlQueries(s.mysql)).toBeGreaterThan(0);
      // room for every pool of a run's servers (MariaDB's default is 151)
      const c = await mysql.createConnection({ host: s.mysql.host, port: s.mysql.port, user: s.mysql.user, password: s.mysql.password });
      try {
        const [rows] = await c.query<mysql.RowDataPacket[]>("SHOW VARIABLES LIKE 'max_connections'");
        expect(Number(rows[0]?.Value)).toBe(PRIVATE_MYSQL_MAX_CONNECTIONS);
      } finally {
        await c.end();
      }
    } finally {
      await s.stop();
    }
    expect(await reachable(s.redis.host, s.redis.port)).toBe(false);
    expect(await reachable(s.mysql.host, s.mysql.port)).toBe(false);
    const dirs = lines.map((l) => /data in (\S+)\)/.exec(l)?.[1]).filter(Boolean) as string[];
    expect(dirs).toHaveLength(2);
    for (const d of dirs) expect(existsSync(d)).toBe(false);
  }, 120_000);

  it('removes what a run killed with its guard left behind, and only that', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'sim-reap-test-'));
    try {
      // a dead owner: a process that has exited
      const gone = spawn(process.execPath, ['-e', '']);
      await new Promise((r) => gone.once('exit', r));
      const leftover = path.join(tmp, 'sim-live-redis-left');
      mkdirSync(leftover);
      const service = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)', leftover], { stdio: 'ignore' });
      writeFileSync(path.join(leftover, 'owner.json'), JSON.stringify({ ownerPid: gone.pid, pid: service.pid }));
      // a live owner (this process): not touched
      const mine = path.join(tmp, 'sim-live-mysql-mine');
      mkdirSync(mine);
      writeFileSync(path.join(mine, 'owner.json'), JSON.stringify({ ownerPid: process.pid, pid: null }));
      const lines: string[] = [];
      expect(reapLeftovers((l) => lines.push(l), tmp)).toBe(1);
      expect(await waitGone([service.pid!], 5000)).toEqual([]);
      expect(existsSync(leftover)).toBe(false);
      expect(existsSync(mine)).toBe(true);
      expect(lines).toEqual([`an earlier live run (pid ${gone.pid}) died without cleaning up: stopped pid ${service.pid} and removed ${leftover}`]);
      expect(pidAlive(process.pid)).toBe(true);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('says exactly what is wrong when a configured server does not answer', async () => {
    await expect(resolveServices({ redisUrl: 'redis://127.0.0.1:1/0' })).rejects.toThrow(/Redis at REDIS_URL=redis:\/\/127\.0\.0\.1:1\/0 is not reachable; start it or unset REDIS_URL/);
    await expect(resolveServices({ mysqlUrl: 'mysql://root@127.0.0.1:1/x' })).rejects.toThrow(/MySQL at MYSQL_URL=.* is not reachable/);
    await expect(resolveServices({ redisUrl: 'http://nope' })).rejects.toThrow(/REDIS_URL must use redis:\/\//);
  });
});
