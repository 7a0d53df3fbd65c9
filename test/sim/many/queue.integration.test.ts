import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { builtInArchitecture } from '../../../model/architecture.ts';
import { mergeParams } from '../../../model/params.ts';
import { THESIS_SCENARIO } from '../../../model/workload.ts';
import { parseQueueUrl, queueRunner } from '../../../sim/many/queue.ts';
import { loopRunner, type ManyProgress } from '../../../sim/many/runner.ts';
import { runSweep, type SweepSpec } from '../../../sim/many/sweep.ts';

// Real Redis on this machine (scripts/ensure-services.mjs starts it before `npm test`).
const REDIS = 'redis://127.0.0.1:6379';
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const NAME = `sim-test-${process.pid}-${Date.now()}`;

interface Child { proc: ChildProcess; lines: string[]; started: Promise<void> }

/** `node bin/sim.js worker` as a child process, with short locks so a dead worker's job is retried within seconds. */
function startWorker(): Child {
  const proc = spawn(process.execPath, ['bin/sim.js', 'worker', '--queue', REDIS, '--name', NAME, '--concurrency', '1', '--lock-ms', '2000', '--stalled-ms', '1000'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  const lines: string[] = [];
  let buf = '';
  const started = new Promise<void>((resolve, reject) => {
    proc.stderr!.on('data', (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop()!;
      for (const l of parts) {
        lines.push(l);
        if (l.includes('taking jobs')) resolve();
      }
    });
    proc.once('exit', (code) => reject(new Error(`worker exited early (${code}): ${lines.join(' | ')}`)));
  });
  return { proc, lines, started };
}

const spec: SweepSpec = {
  archs: [builtInArchitecture('baseline'), builtInArchitecture('proposed1')],
  users: [3000, 6000],
  dbModes: ['blocking', 'batched'],
  replications: 1,
  scenario: { ...THESIS_SCENARIO, durationS: 240 },
  rampPerS: 200,
  params: mergeParams({}, 'test'),
  seed: 5,
};

describe('sweep through BullMQ workers (real Redis)', () => {
  const children: Child[] = [];
  afterAll(async () => {
    for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
    const q = new Queue(NAME, { connection: parseQueueUrl(REDIS) });
    await q.obliterate({ force: true });
    await q.close();
  });

  it('two workers drain a sweep; killing one mid-job loses nothing and the results equal a local run', async () => {
    const a = startWorker();
    const b = startWorker();
    children.push(a, b);
    await Promise.all([a.started, b.started]);

    const runner = await queueRunner(REDIS, NAME, { attempts: 3, backoffMs: 200, lockMs: 2000, stalledMs: 1000, maxStalled: 5 });
    const seen: ManyProgress[] = [];
    let killed = false;
    // kill worker a (SIGKILL: no clean-up, its job keeps its lock until it expires) as soon as it runs a job
    const watcher = setInterval(() => {
      if (!killed && a.lines.some((l) => l.includes('started'))) {
        killed = true;
        a.proc.kill('SIGKILL');
      }
    }, 20);
    try {
      const remote = await runSweep(spec, runner, (p) => seen.push(p));
      clearInterval(watcher);
      expect(killed).toBe(true);
      const killedJob = a.lines.filter((l) => l.includes('started')).length - a.lines.filter((l) => l.includes(' done')).length;
      expect(killedJob).toBe(1); // it died mid-job
      const last = seen.at(-1)!;
      expect(last).toMatchObject({ total: 8, done: 8, failed: 0 });
      expect(last.retried).toBeGreaterThanOrEqual(1);
      expect(seen.some((p) => p.running >= 1)).toBe(true);
      // every job ran on worker b in the end (a is dead)
      expect(b.lines.filter((l) => l.includes(' done')).length).toBeGreaterThanOrEqual(7);

      const local = await runSweep(spec, await loopRunner());
      expect(remote.cells.map((c) => JSON.stringify(c.report))).toEqual(local.cells.map((c) => JSON.stringify(c.report)));
      expect(remote.capacity).toEqual(local.capacity);
    } finally {
      clearInterval(watcher);
      await runner.close();
    }
  }, 300_000);
});
