import { readFileSync } from 'node:fs';
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { builtInArchitecture, parseArchitecture, type Architecture } from '../../../model/architecture.ts';
import { pathBetween } from '../../../model/network.ts';
import { findRegion } from '../../../model/regions.ts';
import { waitGone } from '../../../live/children.ts';
import { LiveRunAborted, runLive, type LiveRunOptions, type LiveRunResult } from '../../../live/run/orchestrate.ts';
import { LIVE_CLOCK } from '../../../live/server/protocol.ts';
import { UNDER_TEST_NICE } from '../../../live/spawn.ts';
import { machine } from '../../../bench/machine.ts';
import { dropTargets, testTargets } from '../fixtures.ts';

const T = testTargets('run');
afterAll(async () => {
  await dropTargets(T);
});

/** proposed1 cut down to two regions: Ireland (data local) and Sydney (data in Ireland). */
function twoRegions(): Architecture {
  const a = builtInArchitecture('proposed1');
  return parseArchitecture({ ...a, name: 'proposed1-two-regions', servers: a.servers.filter((g) => g.region === 'eu-west-1' || g.region === 'ap-southeast-2') }, 'test');
}

const base = (over: Partial<LiveRunOptions>): LiveRunOptions => ({
  arch: twoRegions(), users: 20, durationMs: 10_000, timeScale: 10, rampPerSecond: 50, seed: 'test', jitterFraction: 0, loss: false,
  reconnectMeanMs: null, restartAtMs: null, maxProcessesPerGroup: 1, clientRegions: ['eu-west-1', 'ap-southeast-2'],
  mysqlUrl: T.mysqlUrl, drainTimeoutMs: 20_000, log: () => {}, ...over,
});

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

async function allGone(pids: number[], ports: number[]): Promise<void> {
  expect(await waitGone(pids, 5000)).toEqual([]);
  for (const p of ports) expect(await portOpen(p)).toBe(false);
}

describe('sim live run (orchestrated)', () => {
  it('loses and duplicates no prediction through forced reconnects and a server restart', async () => {
    let started: { pids: number[]; ports: number[] } | null = null;
    const res = await runLive(base({ users: 30, durationMs: 14_000, timeScale: 15, reconnectMeanMs: 3000, restartAtMs: 6000, onStarted: (s) => { started = s; } }));
    const live = res.report.extra!.live as Record<string, unknown>;
    expect(live.restarts).toBeGreaterThanOrEqual(1);
    expect(live.reconnects as number).toBeGreaterThan(10);
    expect(res.integrity.confirmed).toBeGreaterThan(30);
    expect(res.integrity.abandoned).toBe(0);
    expect(res.integrity.missing).toBe(0);
    expect(res.integrity.storedUnconfirmed).toBe(0);
    expect(res.integrity.stored).toBe(res.integrity.confirmed);
    // and the pool totals count exactly the stored predictions, through the restart
    expect([res.integrity.counted, res.integrity.countedStake]).toEqual([res.integrity.stored, res.integrity.storedStake]);
    expect(res.integrity.exact).toBe(true);
    // the report is a live Report with both client regions measured
    expect(res.report.kind).toBe('live');
    // broadcast latency is one wall clock at both ends, and the Report says so
    expect(live.clock).toBe(LIVE_CLOCK);
    // the machine every process shared
    expect((live.machine as { cores: number }).cores).toBe(machine().cores);
    expect(Object.keys(res.report.regions).sort()).toEqual(['ap-southeast-2', 'eu-west-1']);
    expect(res.report.global.connected).toBe(30);
    expect(res.report.counts.handledRequests).toBeGreaterThan(0);
    expect(res.report.counts.mysqlQueries).toBeGreaterThan(0);
    expect(res.report.counts.redisHits).toBeGreaterThan(0);
    expect(res.report.resources!.instances).toHaveLength(2);
    // everything it started is gone
    await allGone(started!.pids, started!.ports);
  }, 120_000);

  it('reproduces the blocking-driver collapse of the remote region, and batching removes most of it', async () => {
    const opts = { users: 30, durationMs: 16_000, timeScale: 3, drainTimeoutMs: 1000 };
    // /proc/<pid>/stat field 19: the niceness
    const niceOf = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[16]);
    let nices: { host: number; workers: number[]; loadgen: number } | null = null;
    // The batched run starts once the blocking run's clients are done (its measurement is taken),
    // while its servers still work off their queues (settle.ts: tens of seconds in blocking mode).
    let batchedRun: Promise<LiveRunResult> | null = null;
    // the batched run makes its client paths in the generator (--client-network loadgen): same figures, no proxy processes
    const startBatched = () => (batchedRun ??= runLive(base({ ...opts, dbMode: 'batched', clientNetwork: 'loadgen' })));
    let batchedTimer: NodeJS.Timeout | undefined;
    let blocking: LiveRunResult;
    try {
      blocking = await runLive(base({
        ...opts, dbMode: 'blocking',
        onStarted: (st) => {
          nices = { host: niceOf(st.hostPid), workers: st.pids.filter((p) => p !== st.hostPid && p !== st.loadgenPid).slice(0, 2).map(niceOf), loadgen: niceOf(st.loadgenPid) };
          batchedTimer = setTimeout(startBatched, opts.durationMs + opts.drainTimeoutMs);
        },
      }));
    } catch (err) {
      clearTimeout(batchedTimer);
      await (batchedRun as Promise<LiveRunResult> | null)?.catch(() => {});
      throw err;
    }
    clearTimeout(batchedTimer);
    const batched = await startBatched();
    // the system under test below the generator (and the proxies), so the instrument gets a core first
    expect(nices).toEqual({ host: UNDER_TEST_NICE, workers: [UNDER_TEST_NICE, UNDER_TEST_NICE], loadgen: 0 });
    expect(blocking.report.params!.serverNice).toBe(UNDER_TEST_NICE);
    const sydB = blocking.report.regions['ap-southeast-2'].request;
    const sydA = batched.report.regions['ap-southeast-2'].request;
    const ire = blocking.report.regions['eu-west-1'].request;
    // Ireland (data local) stays fast; Sydney (data an ocean away, blocked loop) does not
    expect(ire.mean!).toBeLessThan(100);
    expect(sydB.mean!).toBeGreaterThan(3 * sydA.mean!);
    // and it grows over the run: the last buckets are slower than the first ones
    const series = (blocking.report.extra!.live as { requestSeries: Record<string, [number, number, number, number][]> }).requestSeries['ap-southeast-2'];
    const firstMean = series[1][2];
    const lastMean = series[series.length - 1][2];
    expect(lastMean).toBeGreaterThan(2 * firstMean);
    // batched: about one round trip to Ireland per message
    const rtt = (batched.report.params!.dataPaths as Record<string, Record<string, { rttMs: number }>>)['ap-southeast-2'].mysqlWrite.rttMs;
    expect(sydA.median!).toBeLessThan(3 * rtt);
    // the simulator's network by default; the real process count beside the architecture's, and a note
    expect(batched.report.params!.network).toBe('aws-2016');
    expect([blocking.report.params!.clientNetwork, batched.report.params!.clientNetwork]).toEqual(['proxy', 'loadgen']);
    // without client proxies the generators count the servers' public bytes: every update and answer went out
    expect(batched.report.network!.outBytes!).toBeGreaterThan(batched.report.counts.broadcasts! * 20);
    expect(rtt).toBe(pathBetween(findRegion('ap-southeast-2')!, findRegion('eu-west-1')!, { network: 'aws-2016' }).rttMs);
    expect(blocking.report.params!.processes).toEqual({ 'eu-west-1': 1, 'ap-southeast-2': 1 });
    // who published the updates, per process: together every update of the run
    const live = blocking.report.extra!.live as { published: number; processes: { group: string; published: number }[] };
    expect(live.published).toBeGreaterThan(0);
    expect(live.processes.reduce((n, p) => n + p.published, 0)).toBe(live.published);
    expect(blocking.report.params!.architectureProcesses).toEqual({ 'eu-west-1': 2, 'ap-southeast-2': 2 });
    expect(blocking.report.notes!.some((n) => n.startsWith('Fewer server processes') && n.includes('eu-west-1 1 of 2'))).toBe(true);
  }, 150_000);

  // The two teardown checks run at the same time: each waits seconds for its own run to come up
  // and checks only that its own processes and ports are gone.
  it.concurrent('stops everything when a part fails mid-run', async () => {
    let started: { pids: number[]; ports: number[]; loadgenPid: number } | null = null;
    const run = runLive(base({
      durationMs: 30_000,
      onStarted: (s) => {
        started = s;
        setTimeout(() => process.kill(s.loadgenPid, 'SIGKILL'), 1500);
      },
    }));
    await expect(run).rejects.toThrow(/loadgenMain\.ts exited/);
    await allGone(started!.pids, started!.ports);
  }, 60_000);

  it.concurrent('stops everything when interrupted', async () => {
    const ac = new AbortController();
    let started: { pids: number[]; ports: number[] } | null = null;
    const run = runLive(base({ durationMs: 30_000, signal: ac.signal, onStarted: (s) => { started = s; setTimeout(() => ac.abort(), 1500); } }));
    await expect(run).rejects.toBeInstanceOf(LiveRunAborted);
    await allGone(started!.pids, started!.ports);
  }, 60_000);
});
