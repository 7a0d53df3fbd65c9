import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directEndpoints } from '../../../live/endpoints.ts';
import { decodeHistogram, mergeHistograms, summaryOf } from '../../../live/loadgen/hdr.ts';
import { LOADGEN_DEFAULTS, type LoadgenResult } from '../../../live/loadgen/loadgen.ts';
import { startLoadgens } from '../../../live/loadgen/loadgenPool.ts';
import { startServerProcess, type ServerProcess } from '../../../live/server/server.ts';
import { simBin } from '../../../live/spawn.ts';
import { ensureSchema } from '../../../live/server/store.ts';
import { countPredictions, dropTargets, testTargets } from '../fixtures.ts';

const T = testTargets('merge');
let server: ServerProcess;
const dir = mkdtempSync(join(tmpdir(), 'sim-merge-'));

/** Runs `sim <args>`; resolves with its exit code and output. */
function sim(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [simBin(), ...args], { env: { ...process.env, REDIS_URL: undefined, MYSQL_URL: T.mysqlUrl } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  await ensureSchema(T.mysql);
  server = await startServerProcess({
    group: 'merge', region: 'eu-west-1', host: '127.0.0.1', port: 0, mode: 'async', windowCheck: 'atomic', windowMs: 500,
    endpoints: directEndpoints(T.redis, T.mysql), keyPrefix: T.prefix,
  });
});

afterAll(async () => {
  await server?.close();
  await dropTargets(T);
  rmSync(dir, { recursive: true, force: true });
});

describe('several load generators, merged', () => {
  it('two generators against one server merge into exactly that run: every count adds up to what the server saw', async () => {
    const url = `ws://127.0.0.1:${server.port}/`;
    const common = ['live', 'loadgen', '--connect', url, '--users', '24', '--duration', '6s', '--time-scale', '30', '--ramp', '100', '--drain', '5s', '--format', 'json'];
    const [a, b] = await Promise.all([
      sim([...common, '--user-id-base', '1', '--seed', 'a', '--out', join(dir, 'a.json')]),
      sim([...common, '--user-id-base', '1001', '--seed', 'b', '--out', join(dir, 'b.json')]),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const m = await sim(['live', 'merge', join(dir, 'a.json'), join(dir, 'b.json'), '--out', join(dir, 'm.json'), '--format', 'bench']);
    expect(m.code, m.stderr).toBe(0);
    expect(m.stdout).toContain('# ap-southeast-2');
    const ra = JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8')) as LoadgenResult;
    const rb = JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8')) as LoadgenResult;
    const merged = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8')) as LoadgenResult;
    const total = (r: LoadgenResult, k: 'users' | 'connected' | 'requests' | 'confirmed' | 'broadcastsReceived') => r.regions.reduce((s, x) => s + x[k], 0);

    // one run's counts: the server handled exactly the requests the two generators sent
    const seen = server.metrics();
    expect(total(merged, 'users')).toBe(48);
    expect(total(merged, 'connected')).toBe(48);
    expect(total(merged, 'requests')).toBe(seen.handled);
    expect(total(merged, 'requests')).toBe(total(ra, 'requests') + total(rb, 'requests'));
    expect(total(merged, 'confirmed')).toBe(total(ra, 'confirmed') + total(rb, 'confirmed'));
    expect(total(merged, 'broadcastsReceived')).toBe(total(ra, 'broadcastsReceived') + total(rb, 'broadcastsReceived'));
    expect(total(merged, 'broadcastsReceived')).toBeLessThanOrEqual(seen.broadcastsSent);
    expect(total(merged, 'confirmed')).toBeGreaterThan(0);

    // latencies merge exactly: the merged histogram of a region is the two generators' merged directly
    for (const region of merged.regions) {
      const pa = ra.regions.find((x) => x.region === region.region)!;
      const pb = rb.regions.find((x) => x.region === region.region)!;
      for (const k of ['handshake', 'request', 'broadcast'] as const) {
        const direct = summaryOf(mergeHistograms([decodeHistogram(pa[k]), decodeHistogram(pb[k])]));
        expect(summaryOf(decodeHistogram(region[k]))).toEqual(direct);
      }
    }
    expect(merged.generators).toHaveLength(2);
  }, 90_000);

  it('a run too big for one generator process is shared over several: disjoint users, one merged result', async () => {
    const before = server.metrics().handled;
    const url = `ws://127.0.0.1:${server.port}/`;
    const pool = startLoadgens({
      ...LOADGEN_DEFAULTS, targets: [{ region: 'eu-west-1', url, users: 14 }, { region: 'ap-southeast-2', url, users: 10 }],
      durationMs: 5000, rampPerSecond: 50, timeScale: 30, seed: 'pool', drainTimeoutMs: 5000, collectIds: true, userIdBase: 5001,
    }, 60_000, undefined, 10);
    expect(pool.children).toHaveLength(3);
    const r = await pool.result;
    const total = (k: 'users' | 'connected' | 'requests' | 'confirmed') => r.regions.reduce((s, x) => s + x[k], 0);
    expect(r.regions.map((x) => [x.region, x.users])).toEqual([['eu-west-1', 14], ['ap-southeast-2', 10]]);
    expect(total('connected')).toBe(24);
    expect(total('requests')).toBe(server.metrics().handled - before);
    expect(r.generators).toHaveLength(3);
    // every confirmed prediction is stored under one of the run's 24 user ids, each generator its own range
    expect(await countPredictions(T.mysql, 'user_id BETWEEN ? AND ?', [5001, 5024])).toBe(total('confirmed'));
    expect(r.confirmedIds).toHaveLength(total('confirmed'));
  }, 90_000);

  it('refuses a file that is not a raw result, naming it and every bad field', async () => {
    const m = await sim(['live', 'merge', join(dir, 'a.json'), simBin()]);
    expect(m.code).toBe(2);
    expect(m.stderr.trim().split('\n')).toHaveLength(1);
    expect(m.stderr).toMatch(/^sim: .*sim\.js/);
  }, 60_000);
});
