import { randomUUID } from 'node:crypto';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directEndpoints, type MysqlTarget, type RedisTarget } from '../../../live/endpoints.ts';
import type { DbMode } from '../../../live/server/handlers.ts';
import { startServerProcess, type ServerProcess } from '../../../live/server/server.ts';
import { privateMysql, privateRedis, reachable, type PrivateService } from '../../../live/run/services.ts';
import { ensureSchema } from '../../../live/server/store.ts';
import { Client, books, quiet } from '../fixtures.ts';

/**
 * Fault suite, part 2: Redis and MariaDB killed with SIGKILL and restarted mid-run (private
 * instances on free ports), servers in every driver mode under steady load. Every answer during
 * an outage is quick and coded; service comes back within a second of the dependency; and
 * afterwards confirmed = stored = counted, also though Redis came back empty.
 */
const MODES: DbMode[] = ['blocking', 'async', 'batched'];
const CLIENTS_PER_MODE = 3;
/** Longest an answer may take while a dependency is down, and to recover after it returns. */
const FAIL_FAST_MS = 1000;
const RECOVER_MS = 1000;

let redisSvc: PrivateService<RedisTarget>;
let mysqlSvc: PrivateService<MysqlTarget>;
const servers: ServerProcess[] = [];
const clients: Client[] = [];

beforeAll(async () => {
  [redisSvc, mysqlSvc] = await Promise.all([privateRedis(() => {}), privateMysql('sim_live_faults', () => {})]);
  await ensureSchema(mysqlSvc.target);
}, 120_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all([redisSvc?.stop(), mysqlSvc?.stop()]);
  // nothing left running
  if (redisSvc) expect(await reachable('127.0.0.1', redisSvc.target.port)).toBe(false);
  if (mysqlSvc) expect(await reachable('127.0.0.1', mysqlSvc.target.port)).toBe(false);
}, 60_000);

interface Answer { mode: DbMode; sentAt: number; at: number; type: string; code?: string; dependency?: string }

async function waitReachable(port: number): Promise<number> {
  while (!(await reachable('127.0.0.1', port, 200))) await new Promise((r) => setTimeout(r, 50));
  return performance.now();
}

async function storedIds(prefix: string): Promise<string[]> {
  const t = mysqlSvc.target;
  const c = await mysql.createConnection({ host: t.host, port: t.port, user: t.user, password: t.password, database: t.database });
  try {
    const [rows] = await c.query<mysql.RowDataPacket[]>('SELECT id FROM predictions WHERE book = ? ORDER BY id', [prefix]);
    return rows.map((r) => String(r.id));
  } finally {
    await c.end();
  }
}

describe('Redis and MariaDB killed and restarted mid-run', () => {
  it('every mode: fast coded errors during the outage, recovery within a second, books balanced after', async () => {
    const prefix = (mode: DbMode) => `simfault:${process.pid}:${mode}:`;
    const byMode = new Map<DbMode, ServerProcess>();
    for (const mode of MODES) {
      const s = await startServerProcess({
        group: 'faults', region: 'eu-west-1', host: '127.0.0.1', port: 0, mode, windowCheck: 'atomic', windowMs: 200,
        endpoints: directEndpoints(redisSvc.target, mysqlSvc.target), keyPrefix: prefix(mode),
      });
      servers.push(s);
      byMode.set(mode, s);
    }
    const answers: Answer[] = [];
    const confirmed = new Map<DbMode, string[]>(MODES.map((m) => [m, []]));
    const updates = new Map<DbMode, number[]>(MODES.map((m) => [m, []]));
    let stopping = false;
    let rid = 0;
    const drivers: Promise<void>[] = [];
    for (const mode of MODES) {
      const port = byMode.get(mode)!.port;
      const listener = await Client.open(port);
      clients.push(listener);
      await listener.ask({ type: 'join_game', rid: 'join', gameId: 1 }, 'join');
      listener.ws.on('message', (d) => { if (JSON.parse(d.toString()).type === 'pool_update') updates.get(mode)!.push(performance.now()); });
      for (let i = 0; i < CLIENTS_PER_MODE; i++) {
        const c = await Client.open(port);
        clients.push(c);
        drivers.push((async () => {
          while (!stopping) {
            const p = { id: randomUUID(), poolId: 1, outcome: ['home', 'draw', 'away'][i % 3], amount: 1 + (rid % 9), userId: 100 + i, placedAt: Date.now() };
            // resend the same prediction until it is confirmed, as a client must
            for (;;) {
              const r = ++rid;
              const sentAt = performance.now();
              const a = await c.ask({ type: 'place_prediction', rid: r, prediction: p }, r);
              answers.push({ mode, sentAt, at: performance.now(), type: String(a.type), code: a.code as string | undefined, dependency: a.dependency as string | undefined });
              if (a.type === 'confirmed') {
                confirmed.get(mode)!.push(p.id);
                break;
              }
              expect(['LIVE_UNAVAILABLE', 'LIVE_OVERLOADED']).toContain(a.code);
              await new Promise((res) => setTimeout(res, 50));
            }
          }
        })());
      }
    }
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const outage = async (svc: PrivateService<RedisTarget | MysqlTarget>, dependency: string) => {
      await sleep(800);
      const down = performance.now();
      await svc.kill();
      await sleep(1500);
      await svc.restart();
      const up = await waitReachable(svc.target.port);
      // coded and quick while it was down
      const during = answers.filter((a) => a.sentAt > down + 50 && a.at < up);
      for (const a of during) {
        expect(a.at - a.sentAt).toBeLessThan(FAIL_FAST_MS);
        if (a.type !== 'confirmed') expect({ code: a.code, dependency: a.dependency }).toEqual({ code: 'LIVE_UNAVAILABLE', dependency });
      }
      expect(during.filter((a) => a.code === 'LIVE_UNAVAILABLE').length).toBeGreaterThan(0);
      // and back within a second in every mode
      await sleep(RECOVER_MS + 500);
      const recovered = MODES.map((mode) => {
        const first = answers.find((a) => a.mode === mode && a.at >= up && a.type === 'confirmed');
        return first ? first.at - up : Infinity;
      });
      process.stderr.write(`${dependency} outage: ${during.length} answers while down, max ${Math.max(...during.map((a) => a.at - a.sentAt)).toFixed(0)} ms; first confirmation after its return (${MODES.join('/')}): ${recovered.map((r) => r.toFixed(0)).join('/')} ms\n`);
      for (const r of recovered) expect(r).toBeLessThan(RECOVER_MS);
      return up;
    };
    const redisUp = await outage(redisSvc, 'redis');
    await outage(mysqlSvc, 'mysql');
    stopping = true;
    await Promise.all(drivers);
    // broadcasts resumed after Redis came back (the subscriber re-subscribed)
    for (const mode of MODES) expect(updates.get(mode)!.some((t) => t > redisUp)).toBe(true);
    for (const mode of MODES) {
      const s = byMode.get(mode)!;
      await quiet(s.metrics);
      const ids = [...new Set(confirmed.get(mode))].sort();
      expect(await storedIds(prefix(mode))).toEqual(ids);
      const b = await books({ redis: redisSvc.target, mysql: mysqlSvc.target }, prefix(mode));
      expect(b.mysql.count).toBe(ids.length);
      expect(b.redis).toEqual(b.mysql);
    }
  }, 90_000);
});
