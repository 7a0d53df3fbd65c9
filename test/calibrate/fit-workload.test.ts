import { describe, expect, it } from 'vitest';
import type { MeasuredRun } from '../../calibrate/fit/measured.ts';
import { readReportFile } from '../../calibrate/fit/measured.ts';
import { RAMP_S, archAsRun, handlerOpsOf, liveMachineNote, paramsAsRun, rampSecondsOf, workloadOf } from '../../calibrate/fit/workload.ts';
import { liveHandlerOps } from '../../model/handler-ops.ts';
import { builtInArchitecture } from '../../model/architecture.ts';
import { DEFAULT_PARAMS, mergeParams } from '../../model/params.ts';
import { THESIS_SCENARIO } from '../../model/workload.ts';
import { simulate } from '../../sim/run.ts';
import { TRUE_RTT_MS, syntheticReport } from './fit-fixtures.ts';

function runOf(report: ReturnType<typeof syntheticReport>, usersPerRegion: Record<string, number>): MeasuredRun {
  return { spec: 'x', report, regions: Object.keys(report.regions), usersPerRegion, hash: { path: 'x', sha256: '', files: [] }, fingerprints: {}, derivedFrom: [], subset: false };
}

describe('the workload of a measured run', () => {
  it('an imported benchmark run is the thesis scenario with its users and length', () => {
    const report = syntheticReport(TRUE_RTT_MS);
    report.durationS = 5600.6;
    const s = workloadOf(runOf(report, Object.fromEntries(Object.keys(TRUE_RTT_MS).map((r) => [r, 3000]))));
    expect(s.users).toBe(24_000);
    expect(s.rampPerS).toBe(120);
    // killed 5,600.6 s after the first launch: 5,400.6 s after the 200 s ramp, not rounded
    expect(s.durationS).toBeCloseTo(5400.6, 9);
    expect(s.predictThinkS).toEqual(THESIS_SCENARIO.predictThinkS);
    expect(Object.values(s.regionMix).every((w) => w === 1 / 8)).toBe(true);
    expect(s.emulatedSetupRtts).toBeUndefined();
    expect(s.fanOutOnLoop).toBeUndefined();
    expect(s.hostCores).toBeUndefined();
  });

  it('a shortened evaluation keeps users and ramp and says how long the load is', () => {
    const report = syntheticReport({ 'eu-west-1': 1, 'us-east-1': 77 });
    const s = workloadOf(runOf(report, { 'eu-west-1': 100, 'us-east-1': 300 }), 120);
    expect(s.durationS).toBe(120);
    expect(s.regionMix).toEqual({ 'eu-west-1': 0.25, 'us-east-1': 0.75 });
    expect(s.users / s.rampPerS).toBe(RAMP_S);
  });

  it('a live run uses its own ramp, think-time divisor, processes and driver mode', () => {
    const report = syntheticReport({ 'eu-west-1': 1, 'us-east-1': 77 }, 6, 12, 'live');
    report.durationS = 60;
    report.params = { timeScale: 10, rampPerSecond: 120, processes: { eu: 2 }, dbMode: 'async', windowCheck: 'atomic' };
    const run = runOf(report, { 'eu-west-1': 150, 'us-east-1': 150 });
    expect(rampSecondsOf(run)).toBe(2.5);
    const s = workloadOf(run);
    expect(s.durationS).toBe(57.5); // 57.5 s of load after a 2.5 s ramp: the run's real length
    expect(s.predictThinkS).toEqual([0.1, 3]);
    // its proxies emulated the handshake's TCP and TLS round trips (3 unless the Report says)
    expect(s.emulatedSetupRtts).toBe(3);
    // its Node.js servers write their fan-outs on their loops
    expect(s.fanOutOnLoop).toBe(true);
    // the machine it ran on is not recorded: each process has a core of its own
    expect(s.hostCores).toBeUndefined();
    const arch = archAsRun(builtInArchitecture('baseline'), run);
    expect(arch.servers[0].processesPerInstance).toBe(2);
    expect(arch.dbMode).toBe('async');
    expect(arch.broadcast.check).toBe('atomic');
  });
});

describe('the machine a live run ran on', () => {
  it('every process of the run shares its cores, as recorded in extra.live.machine', () => {
    const report = syntheticReport({ 'eu-west-1': 1 }, 6, 12, 'live');
    report.params = { timeScale: 2.5, processes: { eu: 2 } };
    report.extra = { live: { machine: { cpu: 'AMD EPYC', cores: 2, node: 'v20' } } as never };
    expect(workloadOf(runOf(report, { 'eu-west-1': 100 })).hostCores).toBe(2);
    report.extra = { live: { machine: { cores: 'two' } } as never };
    expect(workloadOf(runOf(report, { 'eu-west-1': 100 })).hostCores).toBeUndefined();
  });
  it('says how the simulation places the run\'s processes on it', () => {
    const report = syntheticReport({ 'eu-west-1': 1 }, 6, 12, 'live');
    report.params = { timeScale: 2.5, processes: { 'eu-west-1': 2, 'us-east-1': 2 } };
    const arch = () => archAsRun(builtInArchitecture('proposed2'), runOf(report, { 'eu-west-1': 100 }));
    report.extra = { live: { machine: { cores: 2 } } as never };
    expect(liveMachineNote(runOf(report, { 'eu-west-1': 100 }), arch())).toBe("16 server processes sharing the run's machine's 2 cores (extra.live.machine)");
    report.extra = { live: { machine: { cores: 32 } } as never };
    expect(liveMachineNote(runOf(report, { 'eu-west-1': 100 }), arch())).toBe("16 server processes on the run's machine of 32 cores: a core each");
    report.extra = {};
    expect(liveMachineNote(runOf(report, { 'eu-west-1': 100 }), arch())).toMatch(/^the machine of this live run is not recorded \(extra\.live\.machine\): 16 server processes, a core each$/);
    report.kind = 'import';
    expect(liveMachineNote(runOf(report, { 'eu-west-1': 100 }), arch())).toBeNull();
  });
});

describe('the network a live run injected', () => {
  it('simulates the RTTs its proxies added on every path it records, before any calibrated pair, and no loss when it injected none', () => {
    const report = readReportFile('calibrate/fit/data/live-2026-11-26/proposed1.json');
    const run = runOf(report as ReturnType<typeof syntheticReport>, {});
    const arch = archAsRun(builtInArchitecture('proposed1'), run);
    const calibrated = mergeParams({ rttMatrixMs: { 'us-east-1': { 'eu-west-1': 80 } }, lossFactor: 0.2 }, 'test');
    const p = paramsAsRun(calibrated, run, arch);
    const paths = (report.params as { dataPaths: Record<string, Record<string, { rttMs: number }>> }).dataPaths;
    // the N. Virginia server group's way to the Irish data, as injected (the distance prior), not the calibrated 80 ms
    expect(p.rttMatrixMs!['us-east-1']['eu-west-1']).toBe(paths['us-east-1'].mysqlWrite.rttMs);
    expect(p.rttMatrixMs!['us-east-1']['eu-west-1']).not.toBe(80);
    // each client region reached its own region's group, 1 ms away
    expect(p.rttMatrixMs!['ap-southeast-2']['ap-southeast-2']).toBe(1);
    expect(p.lossFactor).toBe(0);
  });

  it('runs every data node as the one real server of its store: no replica hop, so an update reaches Sydney straight from the server that holds it', () => {
    const report = readReportFile('calibrate/fit/data/live-2026-12-05/proposed2-batched.json');
    const run = runOf(report as ReturnType<typeof syntheticReport>, Object.fromEntries(Object.keys(report.regions).map((r) => [r, 10])));
    const built = builtInArchitecture('proposed2');
    const asRun = archAsRun(built, run);
    expect(built.redis.some((n) => n.replicaOf !== undefined)).toBe(true);
    expect([...asRun.redis, ...asRun.mysql].every((n) => n.replicaOf === undefined)).toBe(true);
    // the same nodes in the same places
    expect(asRun.redis.map((n) => [n.id, n.region])).toEqual(built.redis.map((n) => [n.id, n.region]));
    const params = paramsAsRun(mergeParams({ jitterRelative: 0, jitterAbsMs: 0 }, 'test'), run, asRun);
    const scenario = { ...workloadOf(run), durationS: 20 };
    const sydney = (arch: typeof built) => simulate({ arch, scenario, params, seed: 1 }).report.regions['ap-southeast-2'].broadcast.median!;
    // through the replica, an update crosses Ireland → Sydney once more: half of the 309.6 ms
    expect(sydney({ ...asRun, redis: built.redis, mysql: built.mysql }) - sydney(asRun)).toBeGreaterThan(120);
  });

  it('leaves the parameters of an imported run alone', () => {
    const run = runOf(syntheticReport(TRUE_RTT_MS), {});
    expect(paramsAsRun(DEFAULT_PARAMS, run, builtInArchitecture('baseline'))).toBe(DEFAULT_PARAMS);
  });
});

describe('the database work of a live run\'s handlers', () => {
  it('simulates the operations its server recorded, not the thesis system\'s', () => {
    const report = syntheticReport({ 'eu-west-1': 1, 'us-east-1': 77 }, 6, 12, 'live');
    const recorded = liveHandlerOps('blocking', 'racy');
    report.params = { timeScale: 5, dbMode: 'blocking', windowCheck: 'racy', handlerOps: recorded };
    const run = runOf(report, { 'eu-west-1': 150, 'us-east-1': 150 });
    const p = paramsAsRun(DEFAULT_PARAMS, run, archAsRun(builtInArchitecture('baseline'), run));
    expect(p.opsPredict).toEqual(recorded.opsPredict);
    expect(p.opsListPools).toEqual(recorded.opsListPools);
    expect(p.publishRedisOps).toBe(recorded.publishRedisOps);
    // the thesis system's prediction handler made more round trips than the live one
    expect(DEFAULT_PARAMS.opsPredict.redisReads + DEFAULT_PARAMS.opsPredict.mysqlReads).toBeGreaterThan(p.opsPredict.redisReads + p.opsPredict.mysqlReads);
  });

  it('takes what the server issued then for a Report written before it recorded them (no key read in the stake script)', () => {
    const run = runOf(readReportFile('calibrate/fit/data/live-2026-11-26/baseline.json') as ReturnType<typeof syntheticReport>, {});
    const ops = handlerOpsOf(run)!;
    expect(ops.opsPredict).toEqual({ redisReads: 1, redisWrites: 2, mysqlReads: 1, mysqlWrites: 1 });
    expect(ops.publishRedisOps).toBe(3);
    expect(handlerOpsOf(runOf(syntheticReport(TRUE_RTT_MS), {}))).toBeNull();
  });

  it('rejects a malformed record naming the field', () => {
    const report = syntheticReport({ 'eu-west-1': 1 }, 6, 12, 'live');
    report.params = { dbMode: 'blocking', handlerOps: { opsPredict: { redisReads: -1, redisWrites: 0, mysqlReads: 0, mysqlWrites: 0 } } };
    expect(() => handlerOpsOf(runOf(report, { 'eu-west-1': 10 }))).toThrow(/opsPredict\.redisReads must be between 0 and 50 \(got -1\) in x params\.handlerOps/);
  });
});

