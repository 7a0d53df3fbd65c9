import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { waitGone } from '../../live/children.ts';
import { dropTargets, testTargets } from './fixtures.ts';

const SIM = fileURLToPath(new URL('../../bin/sim.js', import.meta.url));
const T = testTargets('cli');
afterAll(async () => {
  await dropTargets(T);
});

/** Every process below `root`, from /proc (pid → parent pid). */
function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(d), ppid);
    } catch {
      // the process ended while we looked
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [c, pp] of parent) if (pp === p) { out.push(c); walk(c); }
  };
  walk(root);
  return out;
}

function cmdline(pid: number): string {
  try {
    return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')}`;
  } catch {
    return `${pid} (gone)`;
  }
}

describe('sim live (command line)', () => {
  it('rejects bad flags with one line naming flag, value and rule, exit code 2', () => {
    for (const [args, pattern] of [
      [['live', 'run', '--users', '-5'], /--users must be a positive integer \(got "-5"\)/],
      [['live', 'run', '--duration', 'soon'], /--duration must be a duration such as 90m/],
      [['live', 'run', '--db-mode', 'turbo'], /--db-mode must be one of blocking, async, batched/],
      [['live', 'run', '--arch', 'nope'], /--arch must be one of baseline, proposed1, proposed2/],
      [['live', 'run', '--network', 'ocean'], /--network must be one of aws-2016, leighton \(got "ocean"\)/],
      [['live', 'run', '--max-processes', '0'], /--max-processes must be a positive integer/],
      [['live', 'proxy', '--target', 'x:99999'], /--target must be host:port/],
    ] as const) {
      const r = spawnSync(process.execPath, [SIM, ...args], { encoding: 'utf8', timeout: 60_000 });
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
    }
  }, 120_000);

  it('Ctrl-C stops every process and server the run started, exit code 130', async () => {
    const child = spawn(process.execPath, [SIM, 'live', 'run', '--arch', 'proposed1', '--regions', 'eu-west-1,ap-southeast-2', '--max-processes', '1', '--users', '10', '--duration', '60s'], {
      env: { ...process.env, MYSQL_URL: T.mysqlUrl }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    const deadline = Date.now() + 90_000;
    while (!err.includes('running 10 users') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    expect(err).toContain('running 10 users');
    await new Promise((r) => setTimeout(r, 1000));
    const tree = descendants(child.pid!);
    expect(tree.length).toBeGreaterThanOrEqual(4); // host, its workers, the load generator
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (c) => resolve(c));
      child.kill('SIGINT');
    });
    expect(code).toBe(130);
    expect(err).toMatch(/interrupted; every process and server it started was stopped/);
    // the TypeScript loader's transform service (esbuild) leaves a moment after its parent
    const left = await waitGone(tree, 5000);
    expect(left.map(cmdline)).toEqual([]);
  }, 120_000);
});
