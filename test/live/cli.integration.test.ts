import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { builtInArchitecture } from '../../model/architecture.ts';
import { waitGone } from '../../live/children.ts';
import { dropTargets, testTargets } from './fixtures.ts';

const SIM = fileURLToPath(new URL('../../bin/sim.js', import.meta.url));
const T = testTargets('cli');
const dir = mkdtempSync(join(tmpdir(), 'sim-live-cli-'));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await dropTargets(T);
});

/** `sim <args>` in a child process (asynchronous, so several can run at once). */
function sim(args: readonly string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SIM, ...args], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

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
  it('rejects bad flags with one line naming flag, value and rule, exit code 2', async () => {
    const cases = [
      [['live', 'run', '--users', '-5'], /--users must be a positive integer \(got "-5"\)/],
      [['live', 'run', '--duration', 'soon'], /--duration must be a duration such as 90m/],
      [['live', 'run', '--db-mode', 'turbo'], /--db-mode must be one of blocking, async, batched/],
      [['live', 'run', '--arch', 'nope'], /--arch must be one of baseline, proposed1, proposed2/],
      [['live', 'run', '--network', 'ocean'], /--network must be one of aws-2016, leighton \(got "ocean"\)/],
      [['live', 'run', '--max-processes', '0'], /--max-processes must be a positive integer/],
      [['live', 'proxy', '--target', 'x:99999'], /--target must be host:port/],
    ] as const;
    const results = await Promise.all(cases.map(([args]) => sim(args)));
    cases.forEach(([args, pattern], i) => {
      const r = results[i];
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
    });
  }, 120_000);

  it('Ctrl-C stops every process and server the run started, exit code 130', async () => {
    // proposed1 with only the server groups of its two client regions: the check is that every
    // process the run started is gone, and six more groups would only add their starts (seconds each)
    const p1 = builtInArchitecture('proposed1');
    const arch = join(dir, 'proposed1-two-regions.json');
    writeFileSync(arch, JSON.stringify({ ...p1, name: 'proposed1-two-regions', servers: p1.servers.filter((g) => g.region === 'eu-west-1' || g.region === 'ap-southeast-2') }));
    const child = spawn(process.execPath, [SIM, 'live', 'run', '--arch', arch, '--regions', 'eu-west-1,ap-southeast-2', '--max-processes', '1', '--users', '10', '--duration', '60s'], {
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
