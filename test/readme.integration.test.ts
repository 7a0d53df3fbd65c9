import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dropTargets, testTargets } from './live/fixtures.ts';

/**
 * The README's example block, run line by line in order as a new user would, in an empty
 * directory with the repository's data/ beside it. Each simulation gets the shorter loads the
 * README names (FAST below), so the block costs minutes of a loaded machine, not an hour.
 */
const ROOT = new URL('..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/sim.js');

/** Flags added to a line (after the README's own, so they win), by command. */
const FAST: Array<[RegExp, (line: string) => string]> = [
  [/^sim run\b/, (l) => `${l} --users 2e4 --duration 10s --ramp 2000${/--replications/.test(l) ? ' --replications 2' : ''}`],
  [/^sim sweep\b/, (l) => `${l} --users 1e3,1e4 --duration 10s --ramp 2000`],
  [/^sim plan\b/, (l) => `${l} --users 2400 --duration 10s --screen-duration 10s --ramp 2000`],
  [/^sim live run\b/, (l) => `${l} --users 20 --duration 10s --max-processes 1`],
];

/** The lines between the README's example markers, without `npx` and comments. */
export function readmeExamples(readme: string): string[] {
  const m = /<!-- examples:start -->\n([\s\S]*?)<!-- examples:end -->/.exec(readme);
  if (!m) throw new Error('README.md has no <!-- examples:start --> ... <!-- examples:end --> block');
  return m[1].split('\n').map((l) => l.trim()).filter(Boolean).map((l) => l.replace(/\s+#\s.*$/, '').replace(/^npx /, ''));
}

/** A line with its fast flags, inserted before any redirection. */
export function fastVariant(line: string): string {
  const [cmd, redirect] = line.split(/(?=\s>\s)/);
  const rule = FAST.find(([re]) => re.test(cmd));
  return `${rule ? rule[1](cmd.trimEnd()) : cmd.trimEnd()}${redirect ?? ''}`;
}

/** A shell line in the example directory (asynchronous: the test runner stays responsive). */
function shell(command: string): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], { cwd: dir, env: { ...process.env, MYSQL_URL: live.mysqlUrl }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

const dir = mkdtempSync(join(tmpdir(), 'sim-readme-'));
const live = testTargets('readme');
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await dropTargets(live);
});

describe('the README examples run as written', () => {
  const lines = readmeExamples(readFileSync(join(ROOT, 'README.md'), 'utf8'));

  it('has a block of sim commands', () => {
    expect(lines.length).toBeGreaterThanOrEqual(8);
    for (const l of lines) expect(l).toMatch(/^sim /);
    expect(fastVariant('sim arch show proposed1 > my-arch.json')).toBe('sim arch show proposed1 > my-arch.json');
    expect(fastVariant('sim run --users 1e6 --out r.json')).toBe('sim run --users 1e6 --out r.json --users 2e4 --duration 10s --ramp 2000');
  });

  it('every line, in order, in an empty directory; git ignores what they write', async () => {
    symlinkSync(join(ROOT, 'data'), join(dir, 'data'));
    for (const line of lines) {
      const command = fastVariant(line).replace(/^sim /, `"${process.execPath}" "${BIN}" `);
      const r = await shell(command);
      expect(r.stderr, line).not.toMatch(/internal error|\n\s+at /);
      expect(r.status, `${line}\n${r.stderr}`).toBe(0);
    }
    for (const out of ['my-arch.json', 'r.json', 'measured.json', 'report/index.html', 'sweep/summary.json']) {
      expect(existsSync(join(dir, out)), out).toBe(true);
    }
    const written = readdirSync(dir).filter((f) => f !== 'data');
    const ignored = spawnSync('git', ['check-ignore', '--no-index', ...written.map((f) => (f.includes('.') ? f : `${f}/`))], { cwd: ROOT, encoding: 'utf8' });
    expect(ignored.stdout.trim().split('\n').sort()).toEqual(written.map((f) => (f.includes('.') ? f : `${f}/`)).sort());
  }, 900_000);
});
