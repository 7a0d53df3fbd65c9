import type { Report } from '../../model/report.ts';
import { textTable, wrap } from '../many/index.ts';
import { SHARED_NODE_MAX_UTILISATION } from './capacity.ts';
import { describeCounts, describeShards, isMultiShard, processesFor, shardsOf, type Design } from './design.ts';
import { describe } from './evaluate.ts';
import type { FamilyOutcome, PlanResult, RunRecord } from './types.ts';

/**
 * The plan for a person (formatPlan: prose wrapped to the text width, tables aligned) and as
 * data (planJson). Every figure carries its unit: $/h, ms, s, users, instances.
 */

const totalShards = (d: Design): number => Object.keys(d.counts).reduce((sum, r) => sum + shardsOf(d, r), 0);
const n = (x: number): string => Math.round(x).toLocaleString('en-US');
const ms = (x: number | null): string => (x === null ? '-' : n(x));

/** A paragraph at an indent, continuation lines four spaces further in. */
const para = (text: string, indent = ''): string[] => wrap(text, indent, `${indent}    `);

function dataOf(d: Design): string {
  switch (d.layout) {
    case 'central-colocated': return `Redis and MySQL on the first server instance in ${d.hub}`;
    case 'central-dedicated': return `Redis on ${d.redisType}, MySQL on RDS ${d.mysqlType}, in ${d.hub}`;
    case 'regional-remote': return `Redis on ${d.redisType}, MySQL on RDS ${d.mysqlType}, both in ${d.hub} (read and written from every region)`;
    case 'regional-redis-replicas': return `Redis master on ${d.redisType} and MySQL on RDS ${d.mysqlType} in ${d.hub}; a Redis read replica on every server outside ${d.hub}`;
    case 'regional-sharded': return isMultiShard(d)
      ? `in every shard its own Redis on ${d.redisType} and MySQL on RDS ${d.mysqlType}: data partitioned by region, and by user within a region (shards: ${describeShards(d)}; other regions 1); ${totalShards(d)} Redis and ${totalShards(d)} MySQL masters in all; each shard broadcasts its own pools (pool totals across shards would need an aggregation the model does not charge for)`
      : `in every region its own Redis on ${d.redisType} and MySQL on RDS ${d.mysqlType} (data partitioned by region)`;
    case 'regional-replicas': return `Redis master on ${d.redisType} and MySQL master on RDS ${d.mysqlType} in ${d.hub}; Redis read replicas on every server and an RDS ${d.replicaType} MySQL read replica per region outside ${d.hub}`;
  }
}

function runLine(r: RunRecord): string {
  const what = r.phase === 'screen' ? 'screening' : 'confirming';
  const procs = processesFor(r.design.serverType);
  const kept = Object.entries(r.simulatedCounts).map(([g, c]) => ({ g, sim: c * r.simulatedProcesses[g], of: r.design.counts[g] * procs }));
  const uniform = kept.every((k) => k.sim === kept[0].sim && k.of === kept[0].of);
  const sliced = r.scale <= 1 ? '' : uniform
    ? `, a 1/${r.scale.toFixed(1)} slice: ${kept[0].sim} of the ${kept[0].of} server processes of ${kept.length > 1 ? 'each group' : kept[0].g}`
    : `, a 1/${r.scale.toFixed(1)} slice: server processes ${kept.map((k) => `${k.sim} of ${k.of} in ${k.g}`).join(', ')}`;
  const shard = isMultiShard(r.design) ? `, one shard per region (of ${describeShards(r.design)}; shards are independent)` : '';
  const verdict = r.verdict.pass ? 'meets the objective' : `fails: ${r.verdict.violations.slice(0, 2).map(describe).join('; ')}`;
  return `run #${r.id} (${what}${r.cached ? ', reused' : ''}): ${n(r.simulatedUsers)} users simulated over ${n(r.simulatedS)} s${shard}${sliced}; ${verdict}`;
}

function regionTable(report: Report, result: PlanResult): string[] {
  const metrics = [...new Set(result.spec.slo.map((t) => `${t.metric}.${t.stat}`))];
  const rows: string[][] = [['region', 'connected', ...metrics.map((m) => `${m} ms`)]];
  const row = (id: string, r: Report['global']): string[] => [id, `${((r.connected / Math.max(1, r.connected + r.failed)) * 100).toFixed(1)}%`,
    ...metrics.map((m) => { const [metric, stat] = m.split('.') as ['request', 'p98']; return ms(r[metric][stat]); })];
  for (const [id, r] of Object.entries(report.regions)) if (r.connected + r.failed > 0) rows.push(row(id, r));
  rows.push(row('global', report.global));
  return textTable(rows).map((l) => `    ${l}`);
}

function describeOutcome(title: string, f: FamilyOutcome, result: PlanResult): string[] {
  const d = f.design!;
  const lines = para(`${title}: ${d.layout}, ${d.dbMode} drivers, broadcast window ${d.windowS} s — $${f.costPerHour!.toFixed(3)}/h`);
  lines.push(...para(`servers: ${describeCounts(d)}`, '  '));
  lines.push(...para(`data: ${dataOf(d)}`, '  '));
  const screens = result.runs.filter((r) => r.family === f.key && r.phase === 'screen');
  const confirms = result.runs.filter((r) => r.family === f.key && r.phase === 'confirm');
  lines.push('  runs that justify it:');
  for (const r of [...screens, ...confirms]) lines.push(...para(runLine(r), '    '));
  if (f.run) {
    lines.push(`  figures of run #${f.run.id} (the ${f.run.phase === 'confirm' ? 'confirming' : 'screening'} run):`);
    lines.push(...regionTable(f.run.report, result));
  }
  const same = result.families.filter((o) => o.key !== f.key && o.reason?.startsWith(`same servers as ${f.key}`));
  if (same.length) lines.push(...para(`the same servers also meet the objective (in screening) with: ${same.map((o) => `${o.dbMode} drivers, window ${o.windowS} s`).join('; ')}`, '  '));
  return lines;
}

/** Why each driver mode ends where it does, and what separates them. */
function driverModes(result: PlanResult): string[] {
  const modes = [...new Set(result.families.map((f) => f.dbMode))];
  if (modes.length < 2 && result.spec.dbModes.length < 2) {
    const lines = [`driver mode: only ${result.spec.dbModes[0]} was considered (--db-mode).`];
    const regional = result.families.filter((f) => f.layout.startsWith('regional') && f.status === 'infeasible');
    if (regional.length && result.spec.dbModes[0] === 'blocking') {
      lines.push(...para('with blocking drivers every database call holds a server process for a full round trip to the data; servers far from it serve few requests per second, so regional layouts fail as listed above.', '  '));
    }
    return lines;
  }
  const lines = ['driver modes compared:'];
  for (const m of modes) {
    const feasible = result.families.filter((f) => f.dbMode === m && f.costPerHour !== null && f.status === 'feasible').sort((a, b) => a.costPerHour! - b.costPerHour! || (a === result.best ? -1 : b === result.best ? 1 : 0));
    lines.push(...para(feasible.length ? `${m}: cheapest that meets the objective is ${feasible[0].layout} on ${feasible[0].serverType} ($${feasible[0].costPerHour!.toFixed(3)}/h)` : `${m}: no design meets the objective`, '  '));
  }
  for (const layout of [...new Set(result.families.map((f) => f.layout))]) {
    const ok = result.families.filter((f) => f.layout === layout && f.status === 'feasible').map((f) => f.dbMode);
    const bad = result.families.filter((f) => f.layout === layout && f.status === 'infeasible' && !ok.includes(f.dbMode));
    const badModes = [...new Set(bad.map((f) => f.dbMode))];
    if (ok.length && badModes.length) {
      const example = bad.find((f) => f.reason)!;
      lines.push(...para(`${layout} meets it with ${[...new Set(ok)].join('/')} drivers but not with ${badModes.join('/')}: ${example.reason}`, '  '));
    }
  }
  const remoteData = (f: FamilyOutcome): boolean => f.layout.startsWith('regional') && f.layout !== 'regional-sharded';
  if (result.families.some((f) => remoteData(f) && f.dbMode === 'blocking' && f.status === 'infeasible' && !f.reason?.startsWith('capacity pre-check'))) {
    lines.push(...para('why: a blocking driver holds the process for every database round trip (several per request, each across an ocean from a regional server), so a regional server serves a request only every few hundred ms and its queue grows; async drivers free the loop but still pay one round trip per sequential query; batched drivers pay one round trip per message.', '  '));
  }
  return lines;
}

/** What the plan was asked: load, objective, prices. */
function header(result: PlanResult): string[] {
  const s = result.spec;
  const mix = Object.entries(s.scenario.regionMix).map(([r, w]) => `${r} ${(w * 100).toFixed(1)}%`).join(', ');
  return [
    ...para(`plan for ${n(s.scenario.users)} users (${mix}), ramp ${n(s.scenario.rampPerS)} connections/s`),
    ...para(`objective, in every client region and globally: ${s.slo.map((t) => t.text).join(', ')}, at least ${s.minConnectedShare * 100}% connected${s.budgetPerHour !== null ? `; budget $${s.budgetPerHour}/h` : ''}`),
    ...para(`prices: ${s.prices.name}; costs are $/hour of instances, storage, IOPS, monitoring and Route 53 (data transfer is not ranked: it is the same clients' traffic)`),
  ];
}

/** Why nothing is recommended when the data tier is what no candidate can carry. */
function noRecommendation(result: PlanResult): string[] {
  const s = result.spec;
  const lines = ['RECOMMENDED: none — no candidate meets the objective (reasons below).'];
  const limit = SHARED_NODE_MAX_UTILISATION;
  const carry = result.families.map((f) => ({ f, users: (s.scenario.users * limit) / Math.max(f.shared.redisUtilisation, f.shared.mysqlUtilisation, 1e-12) }))
    .sort((a, b) => b.users - a.users || (a.f.dbMode === 'batched' ? -1 : b.f.dbMode === 'batched' ? 1 : 0))[0];
  if (carry && carry.users < s.scenario.users) {
    const binding = carry.f.shared.mysqlUtilisation >= carry.f.shared.redisUtilisation ? 'MySQL' : 'Redis';
    const where = carry.f.layout === 'regional-sharded' ? ' of the busiest region' : '';
    const cannot = carry.f.layout === 'regional-sharded' ? 'the most shards the plan splits a region into cannot give' : 'these layouts cannot give';
    lines.push(...para(`the data tier is the limit: the most users any candidate's masters carry at ${limit * 100}% busy is about ${n(carry.users)} (${carry.f.layout} with ${carry.f.dbMode} drivers; the ${binding} master${where} binds); ${n(s.scenario.users)} users need the writes split over about ${Math.ceil(s.scenario.users / carry.users)}× as many masters, which ${cannot}.`, '  '));
  }
  return lines;
}

/** Every family, cheapest feasible first: its key, then its verdict on the lines below. */
function familyList(result: PlanResult): string[] {
  const lines = ['every candidate family (layout × server type × drivers × window), cheapest feasible first:'];
  const order = [...result.families].sort((a, b) => (a.costPerHour ?? Infinity) - (b.costPerHour ?? Infinity) || (a.key < b.key ? -1 : 1));
  for (const f of order) {
    lines.push(...wrap(`${f.key}:`, '  ', '      '));
    if (f.status === 'feasible' && f.design) {
      const tag = f === result.best ? 'recommended' : f === result.runnerUp ? 'runner-up' : f.confirmed === null ? 'meets it in screening, costs more' : 'meets it';
      lines.push(...wrap(`${tag}, $${f.costPerHour!.toFixed(3)}/h with ${describeCounts(f.design)}`, '      '));
    } else {
      lines.push(...wrap(f.reason ?? 'fails', '      '));
    }
  }
  return lines;
}

/**
 * How many users the runs of a phase simulated: all of them when no run of the phase needed a
 * slice (the cap is then a limit that was not reached), else the range the runs spanned: a
 * slice aims at the cap but keeps at least one server process per group, so it can hold more.
 */
function phaseUsers(runs: readonly RunRecord[], users: number, cap: number, flag: string): string {
  if (!runs.length) return '';
  if (runs.every((r) => r.scale <= 1)) return `, each simulating all ${n(users)} users (a run of more than ${n(cap)} users, ${flag}, would be simulated as a scaled-down slice)`;
  const least = Math.min(...runs.map((r) => r.simulatedUsers));
  const most = Math.max(...runs.map((r) => r.simulatedUsers));
  const sliced = runs.filter((r) => r.scale > 1).length;
  return `, each simulating ${least === most ? n(least) : `${n(least)} to ${n(most)}`} users: ${sliced} of them were scaled-down slices aiming at ${n(cap)} users (${flag}), each keeping at least one server process per group (see below)`;
}

/** Exactly what was simulated: run counts, durations, users, slices, cache hits, wall time. */
function simulated(result: PlanResult, wallS: number): string[] {
  const s = result.spec;
  const screens = result.runs.filter((r) => r.phase === 'screen' && !r.cached);
  const confirms = result.runs.filter((r) => r.phase === 'confirm' && !r.cached);
  const sliced = result.runs.filter((r) => r.scale > 1 && !r.cached);
  const lines = ['what was simulated:'];
  lines.push(...para(`${screens.length} screening runs: the ramp plus ${n(s.screen.steadyS)} s of load (steady state is reached within minutes of simulated time)${phaseUsers(screens, s.scenario.users, s.screen.maxUsers, '--screen-users')}; server counts searched per group by doubling, then bisection`, '  '));
  lines.push(...para(`${confirms.length} confirming runs: the ramp plus the full ${n(s.scenario.durationS)} s${phaseUsers(confirms, s.scenario.users, s.confirm.maxUsers, '--confirm-users')}`, '  '));
  lines.push(...para(`${n(simulatedUserSeconds(result))} simulated user-seconds in all; ${result.cacheHits} runs reused from the cache (same input hash); seed ${s.seed}; wall time ${wallS.toFixed(0)} s`, '  '));
  if (!sliced.length) return [...lines, '  every run simulated the full number of users (no slicing)'];
  lines.push(...para(`${sliced.length} runs were scaled-down slices, not the full load: fewer server processes per group with the same users per process (same per-process ramp, fan-out and CPU), which is exact for the servers because processes do not share work (each has its own loop, broadcast thread and sockets). The masters are shared by all instances of their groups, so a slice under-loads them: their full-scale load was computed instead (capacity pre-check: at most ${SHARED_NODE_MAX_UTILISATION * 100}% busy, from the same service-time priors the simulator uses).`, '  '));
  if (result.runs.some((r) => isMultiShard(r.design))) {
    lines.push(...para('designs with several shards per region were simulated as ONE shard per region (its servers, its own Redis and MySQL masters, its share of the region\'s users): shards share nothing, so every shard of a region sees what that one sees; the cost counts every shard. Each shard broadcasts its own pools; pool totals across shards would need an aggregation the model does not charge for.', '  '));
  }
  return lines;
}

/** The plan for a person: recommendation, runner-up, why the others fail, what was simulated. */
export function formatPlan(result: PlanResult, wallS: number): string {
  const L: string[] = [...header(result), ''];
  L.push(...(result.best ? describeOutcome('RECOMMENDED', result.best, result) : noRecommendation(result)), '');
  L.push(...(result.runnerUp ? describeOutcome('RUNNER-UP', result.runnerUp, result) : ['RUNNER-UP: none.']), '');
  L.push(...familyList(result), '');
  L.push(...driverModes(result), '');
  L.push(...simulated(result, wallS));
  return `${L.join('\n')}\n`;
}

function simulatedUserSeconds(result: PlanResult): number {
  return result.runs.filter((r) => !r.cached).reduce((sum, r) => sum + r.simulatedUsers * r.simulatedS, 0);
}

function runJson(r: RunRecord): unknown {
  return {
    id: r.id, phase: r.phase, family: r.family, counts: r.design.counts, simulatedUsers: r.simulatedUsers, scale: r.scale,
    simulatedCounts: r.simulatedCounts, simulatedS: r.simulatedS, costPerHour: r.costPerHour, cached: r.cached, inputHash: r.hash,
    pass: r.verdict.pass, violations: r.verdict.violations.map(describe),
  };
}

function outcomeJson(f: FamilyOutcome | null, withReport: boolean): unknown {
  if (!f) return null;
  const { run, ...rest } = f;
  return { ...rest, run: run ? runJson(run) : null, ...(withReport && run ? { report: run.report } : {}) };
}

/** The plan as data: the recommendation and runner-up with their Reports, every family's verdict, every run. */
export function planJson(result: PlanResult, wallS: number): unknown {
  const { prices, params, ...spec } = result.spec;
  return {
    spec: { ...spec, prices: prices.name },
    params,
    best: outcomeJson(result.best, true),
    runnerUp: outcomeJson(result.runnerUp, true),
    families: result.families.map((f) => outcomeJson(f, false)),
    runs: result.runs.map(runJson),
    cacheHits: result.cacheHits,
    wallS,
  };
}
