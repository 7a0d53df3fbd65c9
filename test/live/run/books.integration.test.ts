import { randomUUID } from 'node:crypto';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forkChild, pidAlive, type Child } from '../../../live/children.ts';
import { directEndpoints, via } from '../../../live/endpoints.ts';
import { startProxy, symmetricLinks, type LatencyProxy } from '../../../live/proxy/proxy.ts';
import { checkIntegrity } from '../../../live/run/integrity.ts';
import { settleServers } from '../../../live/run/settle.ts';
import type { ServerGroupConfig } from '../../../live/server/host.ts';
import { ensureSchema, Keys, redisClient, redisReady } from '../../../live/server/store.ts';
import { HOST_CONFIG_ENV } from '../../../live/spawn.ts';
import { Client, dropTargets, testTargets } from '../fixtures.ts';

/**
 * The books of a live run (confirmed = stored = counted) read against the real Redis and MariaDB:
 * after servers that still work through their queues when the generators end, and with writes
 * landing between the reads of the two stores.
 */
const T = testTargets('books');
const proxies: LatencyProxy[] = [];
const hosts: Child[] = [];
const clients: Client[] = [];
let db: mysql.Connection;
const writer = redisClient(T.redis, 'books-test');

beforeAll(async () => {
  await ensureSchema(T.mysql);
  if (!(await redisReady(writer, 5000))) throw new Error(`Redis at ${T.redis.host}:${T.redis.port} does not answer (node scripts/ensure-services.mjs starts it)`);
  db = await mysql.createConnection({ host: T.mysql.host, port: T.mysql.port, user: T.mysql.user, password: T.mysql.password, database: T.mysql.database });
});

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(hosts.map((h) => h.stop()));
  await Promise.all(proxies.map((p) => p.close()));
  writer.disconnect();
  await db?.end();
  await dropTargets(T);
});

/** Stores and counts one prediction as a server does: the row committed first, then its stake counted once. */
async function write(book: string, userId: number, id = randomUUID(), amount = 7): Promise<string> {
  await db.query('INSERT INTO predictions (id, pool_id, user_id, outcome, amount, placed_at, stored_at, book) VALUES (?, 1, ?, ?, ?, ?, ?, ?)', [id, userId, 'home', amount, Date.now(), Date.now(), book]);
  const keys = new Keys(book);
  await writer.addStake(keys.ids(1), keys.totals(1), id, 'home', amount);
  return id;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the books of a live run', () => {
  it('are read once the servers have worked off their queues and stopped, not while they still write', async () => {
    // one blocking server process, its MySQL 10 ms away: each prediction takes a few round trips
    const mp = await startProxy({ name: 'mysql', targetHost: T.mysql.host, targetPort: T.mysql.port, ...symmetricLinks(10, 0, 0, 200) });
    proxies.push(mp);
    const book = `${T.prefix}settle:`;
    const group: ServerGroupConfig = {
      group: 'g', region: 'eu-west-1', host: '127.0.0.1', port: 0, processes: 1, mode: 'blocking', windowCheck: 'atomic', windowMs: 3000,
      endpoints: directEndpoints(T.redis, via(T.mysql, mp.port)), keyPrefix: book,
    };
    const host = forkChild('server/hostMain.ts', { [HOST_CONFIG_ENV]: JSON.stringify([group]) });
    hosts.push(host);
    const ready = await host.waitFor<{ groups: { port: number }[]; adminPort: number; workerPids: number[] }>(['ready'], 60_000);

    // the generator: 2 users (ids 1000 and 1001) send 30 predictions each at once
    const userIdBase = 1000;
    const users = 2;
    const perUser = 30;
    const cs = await Promise.all(Array.from({ length: users }, () => Client.open(ready.groups[0].port)));
    clients.push(...cs);
    const sent: string[] = [];
    cs.forEach((c, u) => {
      for (let k = 0; k < perUser; k++) {
        const id = randomUUID();
        sent.push(id);
        c.ws.send(JSON.stringify({ type: 'place_prediction', rid: k, prediction: { id, poolId: 1, outcome: 'draw', amount: 1 + k, userId: userIdBase + u, placedAt: Date.now() } }));
      }
    });
    // ... and ends after a few answers, as a run's generators end at their drain deadline
    const confirmedSoFar = () => cs.flatMap((c) => c.messages.filter((m) => m.type === 'confirmed').map((m) => String(m.id)));
    while (confirmedSoFar().length < 6) await sleep(20);
    for (const c of cs) c.close();
    const confirmed = confirmedSoFar();
    const abandoned = sent.filter((id) => !confirmed.includes(id));
    // the server still holds most of them: its queue outlives the generator
    expect(abandoned.length).toBeGreaterThan(perUser);
    // the next run's first user (id base + users) stored a prediction in its own book
    await write(`${T.prefix}other:`, userIdBase + users);

    const log: string[] = [];
    const settled = await settleServers({ clients: [], host, adminPort: ready.adminPort, workerPids: ready.workerPids, timeoutMs: 30_000, log: (l) => log.push(l) });
    expect(settled.quiet).toBe(true);
    expect(host.alive()).toBe(false);
    expect(ready.workerPids.filter(pidAlive)).toEqual([]);
    const i = await checkIntegrity(T.mysql, T.redis, book, userIdBase, users, confirmed, abandoned, { serversQuiet: settled.quiet });
    // every prediction the server accepted is stored and counted: none was read half-done
    expect(i.stored).toBe(sent.length);
    expect([i.counted, i.countedStake]).toEqual([i.stored, i.storedStake]);
    expect(i.storedStake).toBe(users * (perUser * (perUser + 1)) / 2);
    expect(i.missing).toBe(0);
    expect(i.storedUnconfirmed).toBe(abandoned.length);
    expect(i.quiesced).toBe(true);
    // the stored unconfirmed rows are all abandoned ones, so the books are exact
    expect(i.storedAbandoned).toBe(abandoned.length);
    expect(i.exact).toBe(true);
    // the teardown after it finds the host stopped
    await host.stop();
  }, 60_000);

  it('are not thrown off by a write that lands between the reads of Redis and MySQL', async () => {
    const book = `${T.prefix}between:`;
    const ids = [await write(book, 2000), await write(book, 2001), await write(book, 2000)];
    // the check reaches Redis over a 400 ms path, MySQL directly; a server commits and counts one
    // more prediction 300 ms after the check began
    const rp = await startProxy({ name: 'redis', targetHost: T.redis.host, targetPort: T.redis.port, ...symmetricLinks(400, 0, 0, 200) });
    proxies.push(rp);
    const late = randomUUID();
    const check = checkIntegrity(T.mysql, via(T.redis, rp.port), book, 2000, 2, [...ids, late], []);
    await sleep(300);
    await write(book, 2001, late);
    const i = await check;
    expect([i.stored, i.counted]).toEqual([4, 4]);
    expect(i.countedStake).toBe(i.storedStake);
    expect(i.missing).toBe(0);
    expect(i.quiesced).toBe(true);
    expect(i.exact).toBe(true);
  }, 30_000);

  it('say so when a server keeps writing while they are read', async () => {
    const book = `${T.prefix}busy:`;
    await write(book, 3000);
    const mp = await startProxy({ name: 'mysql', targetHost: T.mysql.host, targetPort: T.mysql.port, ...symmetricLinks(100, 0, 0, 200) });
    proxies.push(mp);
    let writing = true;
    const busy = (async () => {
      while (writing) {
        await write(book, 3001);
        await sleep(30);
      }
    })();
    const i = await checkIntegrity(via(T.mysql, mp.port), T.redis, book, 3000, 2, [], [], { attempts: 2 });
    writing = false;
    await busy;
    expect(i.quiesced).toBe(false);
    expect(i.exact).toBe(false);
  }, 30_000);
});
