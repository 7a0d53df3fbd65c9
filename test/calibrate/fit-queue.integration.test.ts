import { Queue } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { calibrate, type CalibrateOptions } from '../../calibrate/fit/calibrate.ts';
import { FIT_DIMENSIONS } from '../../calibrate/fit/dimensions.ts';
import type { MeasuredRun } from '../../calibrate/fit/measured.ts';
import { RAMP_S, workloadOf } from '../../calibrate/fit/workload.ts';
import { builtInArchitecture } from '../../model/architecture.ts';
import { mergeParams } from '../../model/params.ts';
import { CLIENT_REGION_IDS } from '../../model/regions.ts';
import type { Report } from '../../model/report.ts';
import { parseQueueUrl, queueRunner, startQueueWorker } from '../../sim/many/queue.ts';
import { loopRunner } from '../../sim/many/runner.ts';
import { simulate } from '../../sim/run.ts';

// Real Redis on this machine (scripts/ensure-services.mjs starts it before `npm test`); a queue
// name of its own, so that other users of the same Redis are not disturbed.
const REDIS = 'redis://127.0.0.1:6379';
const NAME = `sim-calibrate-test-${process.pid}-${Date.now()}`;
const arch = builtInArchitecture('baseline');

/** A small synthetic "measured" run (the simulator with a known broadcast cost). */
function syntheticRun(): MeasuredRun {
  const usersPerRegion = Object.fromEntries(CLIENT_REGION_IDS.map((r) => [r, 100]));
  const stub = { spec: 'synthetic', report: { durationS: RAMP_S + 60 } as Report, regions: [...CLIENT_REGION_IDS], usersPerRegion, hash: { path: 'synthetic', sha256: '0'.repeat(64), files: [] }, fingerprints: {}, derivedFrom: [], subset: false };
  const report = simulate({ arch, scenario: workloadOf(stub), params: mergeParams({ cpuBroadcastPerSocketUs: 150 }, 'truth'), seed: 2 }).report;
  return { ...stub, report: { ...report, kind: 'import' } };
}

async function calibrateOn(run: MeasuredRun, runner: CalibrateOptions['runner']): Promise<string> {
  const file = await calibrate([run], {
    runner,
    archFor: () => arch,
    seed: 2,
    fitLoadS: 60,
    maxEvals: 24,
    population: 6,
    confirm: false,
    dims: FIT_DIMENSIONS.filter((d) => d.path === 'cpuBroadcastPerSocketUs' || d.path === 'broadcastClockOffsetMs'),
    log: () => {},
    nowMs: () => 0,
    toolVersion: 'test',
    command: 'test',
  });
  return `${JSON.stringify(file, null, 2)}\n`;
}

describe('calibration through BullMQ workers (real Redis)', () => {
  afterAll(async () => {
    const q = new Queue(NAME, { connection: parseQueueUrl(REDIS) });
    await q.obliterate({ force: true });
    await q.close();
  });

  it('two workers run the evaluations; params.json equals the one made in this thread, byte for byte', async () => {
    const run = syntheticRun();
    const serial = await calibrateOn(run, await loopRunner());
    const workers = [await startQueueWorker(REDIS, NAME, 1), await startQueueWorker(REDIS, NAME, 1)];
    const runner = await queueRunner(REDIS, NAME);
    try {
      const queued = await calibrateOn(run, runner);
      expect(queued).toBe(serial);
    } finally {
      await runner.close();
      for (const w of workers) await w.close();
    }
  }, 180_000);
});
