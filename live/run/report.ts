import type { Architecture, DbMode } from '../../model/architecture.ts';
import { addCostAndMeters } from '../../model/finish.ts';
import { median, minAvgMax } from '../../model/levels.ts';
import type { InstanceResources, LiveGeneratorHealth, MinAvgMax, NetworkMinute, RegionResult, Report, ResourceMinute } from '../../model/report.ts';
import { cpuPctBetween, diskUsedPct, machineMemoryBytes, type CounterReading, type HostSample } from './collect.ts';
import type { WindowCheck } from '../server/handlers.ts';
import { liveHandlerOps } from '../../model/handler-ops.ts';
import { CLIENT_SETUP_RTTS, type ClientNetwork } from './plan.ts';
import { summaryOf } from '../loadgen/hdr.ts';
import type { HostMetrics, ServerGroupConfig } from '../server/host.ts';
import type { Integrity } from './integrity.ts';
import { LOADGEN_LAG_LIMIT_MS, regionHistograms, type LoadgenResult } from '../loadgen/loadgen.ts';
import { healthOf } from '../loadgen/merge.ts';
import type { LivePlan } from './plan.ts';
import type { ProxyStats } from '../proxy/proxy.ts';
import type { ProcessMetrics } from '../server/server.ts';
import { UNDER_TEST_NICE } from '../spawn.ts';
import { machine } from '../../bench/machine.ts';

/** Byte counters of every proxy at one moment (ms since run start). */
export interface ProxySample {
  tMs: number;
  /** client → server paths (the servers' public traffic) */
  client: ProxyStats[];
  /** server → remote data paths (internal traffic between instances) */
  data: ProxyStats[];
  /** the client sockets' bytes as the generators counted them, when they emulate the client paths (no client proxies) */
  clientBytes?: { upBytes: number; downBytes: number };
}

/** Everything a live run collected, as input of buildLiveReport. */
export interface LiveReportInput {
  arch: Architecture;
  plan: LivePlan;
  groups: ServerGroupConfig[];
  users: number;
  durationMs: number;
  seed: string;
  mode: DbMode;
  windowCheck: WindowCheck;
  timeScale: number;
  rampPerSecond: number;
  jitterFraction: number;
  loss: boolean;
  /** where the client paths were emulated (default proxy) */
  clientNetwork?: ClientNetwork;
  loadgen: LoadgenResult;
  hostSamples: HostSample[];
  /** last sample of each server host that was killed for a restart */
  retiredHosts: HostSample[];
  proxySamples: ProxySample[];
  /**
   * The counters before the load and when the clients' run ended (`after`, with the servers'
   * metrics then): the counts are over the run as the clients saw it, not the drain after it
   * (the simulator counts within the run too)
   */
  counters: { before: CounterReading; after: CounterReading };
  integrity: Integrity;
  services: string[];
  restartAtMs: number | null;
  reconnectMeanMs: number | null;
}

/** Counters of a host: live processes plus the ones that exited. */
export function hostTotals(m: HostMetrics | undefined): { handled: number; broadcastsSent: number; published: number; slowConsumers: number; errors: number } {
  const t = { handled: 0, broadcastsSent: 0, published: 0, slowConsumers: 0, errors: 0 };
  if (!m) return t;
  for (const p of m.processes) {
    t.handled += p.handled; t.broadcastsSent += p.broadcastsSent; t.published += p.published; t.slowConsumers += p.slowConsumers; t.errors += p.errors;
  }
  t.handled += m.retired.handled; t.broadcastsSent += m.retired.broadcastsSent; t.published += m.retired.published; t.slowConsumers += m.retired.slowConsumers; t.errors += m.retired.errors;
  return t;
}

function regionResult(r: LoadgenResult['regions']): RegionResult {
  const h = regionHistograms(r);
  return {
    connected: r.reduce((s, x) => s + x.connected, 0),
    failed: r.reduce((s, x) => s + x.failed, 0),
    pending: r.reduce((s, x) => s + (x.pending ?? 0), 0),
    handshake: summaryOf(h.handshake), request: summaryOf(h.request), broadcast: summaryOf(h.broadcast),
  };
}

function sumBytes(list: ProxyStats[], key: 'upBytes' | 'downBytes'): number {
  return list.reduce((s, p) => s + p[key], 0);
}

/** Server in/out bytes at a sample: public in = client up, out = client down; internal both ways. */
function netAt(s: ProxySample): { inBytes: number; outBytes: number } {
  const up = s.clientBytes?.upBytes ?? sumBytes(s.client, 'upBytes');
  const down = s.clientBytes?.downBytes ?? sumBytes(s.client, 'downBytes');
  return { inBytes: up + sumBytes(s.data, 'downBytes'), outBytes: down + sumBytes(s.data, 'upBytes') };
}

function resources(i: LiveReportInput): NonNullable<Report['resources']> {
  const mem = machineMemoryBytes();
  const disk = diskUsedPct();
  const diskMam: MinAvgMax = disk === null ? { min: null, avg: null, max: null } : { min: disk, avg: disk, max: disk };
  const instances: InstanceResources[] = i.groups.map((g) => {
    const pick = (ps: ProcessMetrics[]) => ps.filter((p) => p.group === g.group);
    const cpu: number[] = [];
    const memory: number[] = [];
    for (let k = 0; k < i.hostSamples.length; k++) {
      const b = i.hostSamples[k];
      memory.push((100 * pick(b.metrics.processes).reduce((s, p) => s + p.rssBytes, 0)) / mem);
      if (k === 0) continue;
      const a = i.hostSamples[k - 1];
      const pct = cpuPctBetween(pick(a.metrics.processes), pick(b.metrics.processes), b.tMs - a.tMs, g.processes);
      if (pct !== null) cpu.push(pct);
    }
    const planned = i.plan.groups.find((p) => p.id === g.group);
    return { name: g.group, region: g.region, type: planned?.instanceType ?? 'local', cores: g.processes, cpu: minAvgMax(cpu), memory: minAvgMax(memory), disk: diskMam };
  });
  const perMinute: ResourceMinute[] = [];
  const totalProcesses = i.groups.reduce((s, g) => s + g.processes, 0);
  const s = i.hostSamples;
  for (let t = 0; s.length > 1 && t * 60_000 < s[s.length - 1].tMs; t++) {
    const inMin = s.filter((x) => x.tMs >= t * 60_000 && x.tMs < (t + 1) * 60_000);
    if (inMin.length < 2) continue;
    const a = inMin[0];
    const b = inMin[inMin.length - 1];
    const cpu = cpuPctBetween(a.metrics.processes, b.metrics.processes, b.tMs - a.tMs, totalProcesses);
    const memory = inMin.reduce((acc, x) => acc + x.metrics.processes.reduce((q, p) => q + p.rssBytes, 0), 0) / inMin.length / mem * 100;
    perMinute.push({ t, cpu, memory, disk });
  }
  return { instances, perMinute };
}

function network(i: LiveReportInput): NonNullable<Report['network']> {
  const s = i.proxySamples;
  if (!s.length) return { inBytes: null, outBytes: null, perMinute: [] };
  const last = netAt(s[s.length - 1]);
  const perMinute: NetworkMinute[] = [];
  let prev = { inBytes: 0, outBytes: 0 };
  for (let t = 0; t * 60_000 < s[s.length - 1].tMs; t++) {
    const inMin = s.filter((x) => x.tMs < (t + 1) * 60_000);
    const end = netAt(inMin[inMin.length - 1]);
    perMinute.push({ t, inBytes: end.inBytes - prev.inBytes, outBytes: end.outBytes - prev.outBytes });
    prev = end;
  }
  return { inBytes: last.inBytes, outBytes: last.outBytes, perMinute };
}

/**
 * The machine every process of the run (servers, proxies, generators, Redis, MariaDB) shared: what
 * a simulation of the run would need to model that sharing.
 */
function sharedMachine(): { cpu: string; cores: number; node: string } {
  const { cpu, cores, node } = machine();
  return { cpu, cores, node };
}

/** The latest lateness of the proxies, the worst of them (ms), or null without samples. */
function proxyLatenessMeanMs(samples: readonly ProxySample[]): number | null {
  const last = samples[samples.length - 1];
  return last ? Math.max(0, ...[...last.client, ...last.data].map((p) => p.latenessMeanMs)) : null;
}

/** One server process over a run (`extra.live.processes`). */
interface ProcessSummary { pid: number; group: string; cpuS: number; rssMaxMb: number; loopDelayP99MaxMs: number; loopDelayMaxMs: number; handled: number; /** updates it published: which servers win the broadcast windows */ published: number }

/** Per server process over the run: CPU seconds, peak RSS, worst event-loop delay, messages handled, updates published. */
function processSummaries(samples: HostSample[]): ProcessSummary[] {
  const by = new Map<number, ProcessSummary>();
  for (const s of samples) {
    for (const p of s.metrics.processes) {
      const e = by.get(p.pid) ?? { pid: p.pid, group: p.group, cpuS: 0, rssMaxMb: 0, loopDelayP99MaxMs: 0, loopDelayMaxMs: 0, handled: 0, published: 0 };
      e.cpuS = (p.cpuUserUs + p.cpuSystemUs) / 1e6;
      e.rssMaxMb = Math.max(e.rssMaxMb, p.rssBytes / 1_048_576);
      e.loopDelayP99MaxMs = Math.max(e.loopDelayP99MaxMs, p.loopDelayP99Ms);
      e.loopDelayMaxMs = Math.max(e.loopDelayMaxMs, p.loopDelayMaxMs);
      e.handled = p.handled;
      e.published = p.published;
      by.set(p.pid, e);
    }
  }
  return [...by.values()];
}

/**
 * The load generator's health in a live Report (`extra.live.loadgen`): its message rate, its own
 * event-loop lag, and `bottleneck` when the lag p99 of any second (of any generator) passed
 * LOADGEN_LAG_LIMIT_MS: the latencies may then be the generator's, not the system's.
 */
export function generatorHealth(lg: LoadgenResult): LiveGeneratorHealth {
  const gens = lg.generators ?? [healthOf(lg)];
  const secondsOverLimit = gens.reduce((s, g) => s + g.secondsOverLimit, 0);
  return {
    generators: gens.length, messagesPerSecond: lg.messagesPerSecond, lagLimitMs: LOADGEN_LAG_LIMIT_MS,
    loopLagP99MaxMs: Math.max(0, ...lg.loopLagP99Ms), loopLagP99MedianMs: median(lg.loopLagP99Ms) ?? 0, loopLagMaxMs: lg.loopLagMaxMs,
    secondsOverLimit, seconds: gens.reduce((s, g) => s + g.loopLagP99Ms.length, 0), bottleneck: secondsOverLimit > 0, warnings: lg.warnings,
  };
}

/** Requests handled by the run's end: the servers' metrics then, and those of hosts retired before. */
function handledWithin(atEnd: HostMetrics, retired: HostSample[]): number {
  return [atEnd, ...retired.map((h) => h.metrics)].reduce((n, m) => n + hostTotals(m).handled, 0);
}

/** How the run emulated its paths, by where the client paths were made (the Report's first note). */
const DATA_NODES_NOTE = 'every Redis and MySQL node of the architecture is the same real server behind its own proxy, so replicas have no replication lag.';
const PATHS_NOTE: Record<ClientNetwork, string> = {
  proxy: `Live run on one machine: regions are emulated with latency proxies (half the RTT each way); ${DATA_NODES_NOTE}`,
  loadgen: `Live run on one machine: the clients' paths are emulated inside the load generators (half the RTT each way: a request leaves for the server one way after the client sends it, an answer or update reaches the client one way after the generator reads it), the data paths with latency proxies; ${DATA_NODES_NOTE}`,
};

/** The Report of a live run (kind "live"); fields the run could not measure are null. */
export function buildLiveReport(i: LiveReportInput): Report {
  const lg = i.loadgen;
  const regions: Record<string, RegionResult> = Object.fromEntries(lg.regions.map((r) => [r.region, regionResult([r])]));
  const lastHost = i.hostSamples[i.hostSamples.length - 1]?.metrics;
  const totals = [lastHost, ...i.retiredHosts.map((h) => h.metrics)].map(hostTotals).reduce((a, b) => ({
    handled: a.handled + b.handled, broadcastsSent: a.broadcastsSent + b.broadcastsSent, published: a.published + b.published,
    slowConsumers: a.slowConsumers + b.slowConsumers, errors: a.errors + b.errors,
  }));
  const { before, after } = i.counters;
  const delta = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) ? b - a : null);
  const report: Report = {
    kind: 'live',
    arch: i.arch.name,
    users: i.users,
    seed: null,
    durationS: i.durationMs / 1000,
    params: {
      dbMode: i.mode, windowCheck: i.windowCheck, broadcastWindowS: i.arch.broadcast.windowS, timeScale: i.timeScale, rampPerSecond: i.rampPerSecond,
      jitterFraction: i.jitterFraction, loss: i.loss, loadgenSeed: i.seed, reconnectMeanMs: i.reconnectMeanMs, restartAtMs: i.restartAtMs,
      network: i.plan.network, clientNetwork: i.clientNetwork ?? 'proxy', serverNice: UNDER_TEST_NICE,
      processes: Object.fromEntries(i.groups.map((g) => [g.group, g.processes])),
      architectureProcesses: Object.fromEntries(i.plan.groups.map((g) => [g.id, g.processes])),
      routes: Object.fromEntries(i.plan.routes.map((r) => [r.clientRegion, { group: r.group, rttMs: r.path.rttMs, loss: r.path.loss }])),
      dataPaths: Object.fromEntries(i.plan.groups.map((g) => [g.id, Object.fromEntries(Object.entries(g.data).map(([k, d]) => [k, { node: d.node, rttMs: d.path?.rttMs ?? 0 }]))])),
      // the database work of the server's handlers per request type: a simulation of this run makes the same
      handlerOps: liveHandlerOps(i.mode, i.windowCheck),
      clientSetupRtts: CLIENT_SETUP_RTTS,
    },
    regions,
    global: regionResult(lg.regions),
    counts: {
      handledRequests: after.host ? handledWithin(after.host, i.retiredHosts) : totals.handled,
      redisHits: delta(before.redis.hits, after.redis.hits),
      redisMisses: delta(before.redis.misses, after.redis.misses),
      mysqlQueries: delta(before.queries, after.queries),
      broadcasts: totals.broadcastsSent,
    },
    resources: resources(i),
    network: network(i),
    cost: null,
    meters: null,
    notes: [
      PATHS_NOTE[i.clientNetwork ?? 'proxy'],
      'Redis hits/misses and MySQL Queries are server-wide counter deltas over the run (other clients of the same servers are included).',
      `Servers (and private Redis and MariaDB) ran at nice ${UNDER_TEST_NICE}, the load generators and proxies (the clients' machines and the network) at the default priority: the system under test got what they left of this machine.`,
      'CPU % is per group of its own processes (one core each); memory % is of this machine; disk % is the used share of this machine\'s root file system.',
      'Request latency is measured from the moment the scenario meant to send (coordinated-omission corrected); extra.live.requestUncorrected holds the uncorrected figures.',
      `Cost is the architecture's hourly price with this run's traffic scaled to an hour; meters come from model/meters.ts.`,
    ],
    provenance: { tool: 'sim live run', startedAt: new Date(lg.startedAtMs).toISOString(), services: i.services.length ? i.services : 'existing servers' },
    extra: {
      live: {
        integrity: i.integrity,
        published: totals.published,
        slowConsumers: totals.slowConsumers,
        serverErrors: totals.errors,
        restarts: (lastHost?.restarts ?? 0) + i.retiredHosts.length,
        requestUncorrected: Object.fromEntries(lg.regions.map((r) => [r.region, summaryOf(regionHistograms([r]).requestRaw)])),
        requestSeries: Object.fromEntries(lg.regions.map((r) => [r.region, r.series])),
        clientErrors: Object.fromEntries(lg.regions.map((r) => [r.region, r.errors])),
        reconnects: lg.regions.reduce((s, r) => s + r.reconnects, 0),
        loadgen: generatorHealth(lg),
        processes: processSummaries(i.hostSamples),
        machine: sharedMachine(),
        proxyLatenessMeanMs: proxyLatenessMeanMs(i.proxySamples),
      },
    },
  };
  const capped = i.plan.groups.filter((g) => (i.groups.find((c) => c.group === g.id)?.processes ?? g.processes) < g.processes);
  if (capped.length) {
    report.notes!.push(`Fewer server processes than the architecture has (params.processes vs params.architectureProcesses: ${capped.map((g) => `${g.id} ${i.groups.find((c) => c.group === g.id)!.processes} of ${g.processes}`).join(', ')}): this machine has fewer cores. Each process still runs its own loop (in blocking mode one message at a time), but fewer loops share the group's connections.`);
  }
  try {
    addCostAndMeters(report, i.arch, { loadHours: i.durationMs / 3_600_000 });
  } catch (err) {
    report.notes!.push(`cost and meters not computed: ${(err as Error).message}`);
  }
  return report;
}
