import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { waitGone } from '../../../live/children.ts';
import { reachable } from '../../../live/run/services.ts';
import { simBin } from '../../../live/spawn.ts';

/**
 * Fault suite, part 3: `sim live run --private-services` killed with SIGKILL mid-run. Nothing it
 * started may survive it: server host and workers, load generator, the private Redis and
 * MariaDB, and their temporary directories.
 */

/** Every descendant of `root` (pid list from ps). */
function descendants(root: number): number[] {
  const out = spawnSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' }).stdout;
  const children = new Map<number, number[]>();
  for (const line of out.trim().split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const all: number[] = [];
  const walk = (p: number) => { for (const c of children.get(p) ?? []) { all.push(c); walk(c); } };
  walk(root);
  return all;
}

describe('the orchestrator killed with SIGKILL', () => {
  it('leaves no process, port or directory behind', async () => {
    const run = spawn(process.execPath, [simBin(), 'live', 'run', '--private-services', '--arch', 'baseline', '--regions', 'eu-west-1', '--users', '4',
      '--duration', '60s', '--time-scale', '10', '--max-processes', '1', '--format', 'json'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const running = new Promise<void>((resolve, reject) => {
      run.stderr!.on('data', (d) => {
        stderr += d.toString();
        if (/sim live: running \d+ users/.test(stderr)) resolve();
      });
      run.once('exit', (code) => reject(new Error(`sim live run exited (${code}) before running:\n${stderr}`)));
    });
    await running;
    const ports = [...stderr.matchAll(/starting a private \w+ on 127\.0\.0\.1:(\d+) \(data in (\S+)\)/g)];
    expect(ports).toHaveLength(2);
    const pids = descendants(run.pid!);
    // server host and worker, load generator, Redis, MariaDB, the guard
    expect(pids.length).toBeGreaterThanOrEqual(5);
    const killedAt = performance.now();
    run.kill('SIGKILL');
    await new Promise((r) => run.once('exit', r));
    expect(await waitGone(pids, 20_000)).toEqual([]);
    process.stderr.write(`orchestrator SIGKILL: ${pids.length} processes gone ${((performance.now() - killedAt) / 1000).toFixed(1)} s after\n`);
    for (const [, port, dir] of ports) {
      expect(await reachable('127.0.0.1', Number(port), 500)).toBe(false);
      expect(existsSync(dir)).toBe(false);
    }
    expect(stderr).toMatch(/the live run went away; stopping its private services/);
    // the children noticed quietly: no stack trace (ERR_IPC_DISCONNECTED and the like)
    expect(stderr).not.toMatch(/ERR_IPC|\n\s+at /);
  }, 90_000);
});
