import { afterAll, describe, expect, it } from 'vitest';
import { pidAlive } from '../../../live/children.ts';
import { directEndpoints } from '../../../live/endpoints.ts';
import { startServerHost } from '../../../live/server/host.ts';
import { Client, dropTargets, testTargets } from '../fixtures.ts';

const T = testTargets('host');
afterAll(async () => {
  await dropTargets(T);
});

describe('server group (cluster host)', () => {
  it('shares one port between its processes, replaces a crashed one, and leaves nothing behind', async () => {
    const host = await startServerHost([{
      group: 'g', region: 'eu-west-1', host: '127.0.0.1', port: 0, processes: 2, mode: 'async', windowCheck: 'atomic', windowMs: 3000,
      endpoints: directEndpoints(T.redis, T.mysql), keyPrefix: T.prefix,
    }], { adminPort: 0 });
    const pids = host.workerPids();
    try {
      expect(pids).toHaveLength(2);
      const port = host.groups[0].port;
      // round-robin: several connections land on both processes
      const cs = await Promise.all(Array.from({ length: 6 }, () => Client.open(port)));
      await Promise.all(cs.map((c, i) => c.ask({ type: 'list_games', rid: i }, i)));
      await new Promise((r) => setTimeout(r, 1300));
      const res = await fetch(`http://127.0.0.1:${host.adminPort}/metrics`);
      const m = (await res.json()) as { processes: { pid: number; connections: number }[] };
      expect(m.processes.filter((p) => p.connections > 0)).toHaveLength(2);
      for (const c of cs) c.close();
      // a crashed process is replaced and the port keeps serving
      process.kill(pids[0], 'SIGKILL');
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && !(host.metrics().restarts === 1 && host.workerPids().length === 2)) await new Promise((r) => setTimeout(r, 100));
      expect(host.metrics().restarts).toBe(1);
      expect(host.workerPids()).not.toContain(pids[0]);
      const c = await Client.open(port);
      expect(await c.ask({ type: 'list_pools', rid: 1, gameId: 1 }, 1)).toMatchObject({ type: 'pools' });
      c.close();
    } finally {
      const all = [...new Set([...pids, ...host.workerPids()])];
      await host.close();
      await new Promise((r) => setTimeout(r, 200));
      expect(all.filter(pidAlive)).toEqual([]);
    }
  }, 60_000);
});
