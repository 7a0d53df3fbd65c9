import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { simChild } from '../sim-child.ts';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const BASELINE = resolve(ROOT, 'data/thesis-2015/baseline');
const tmp = mkdtempSync(join(tmpdir(), 'sim-import-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function sim(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/sim.js'), ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `sim` without blocking, so the cases of one test run at once; the same result as sim(). */
function simAsync(...args: string[]): Promise<ReturnType<typeof sim>> {
  return simChild(args, { cwd: ROOT });
}

describe('sim import (CLI)', () => {
  it('--help teaches the layout and gives an example', () => {
    const r = sim('import', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/clients\/<region>\/<client>\/<n>/);
    expect(r.stdout).toMatch(/redis-info\.txt/);
    expect(r.stdout).toMatch(/Examples:\n\s+sim import/);
  });
  it('--out writes the Report; the window flags are honoured', () => {
    const out = join(tmp, 'baseline.json');
    const r = sim('import', BASELINE, '--out', out, '--from', '2015-07-31 15:36:00', '--to', '2015-07-31 17:09:00');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.kind).toBe('import');
    expect(report.global.connected).toBe(23999);
    expect(report.resources.perMinute).toHaveLength(94);
    expect(report.meters.crum.avg).toBeCloseTo(298.30941, 3);
  });
  it('without --out: a per-region table and a headline', () => {
    const r = sim('import', BASELINE);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^eu-west-1\s+3000\s+0\s+0\s+19 \//m);
    expect(r.stdout).toMatch(/^global\s+23999\s+1\s+0\s+671 \//m);
    expect(r.stdout).toMatch(/connected\s+failed\s+pending/);
    expect(r.stdout).toMatch(/cost: 2\.45\d\d \$\/h/);
    expect(r.stdout).toMatch(/approximations/);
  });
  it('bad input: one line, exit 2, no stack trace', async () => {
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    const broken = join(tmp, 'broken', 'clients', 'eu-west-1', '1.2.3.4');
    mkdirSync(broken, { recursive: true });
    writeFileSync(join(broken, '1'), 'Connected 200\nDurations (ms):\nmin mean stddev median max sampleCount\nLatency 1 2 3 4 5 six\n');
    const [missing, nothing, badTime, bad] = await Promise.all([
      simAsync('import', join(tmp, 'nope')),
      simAsync('import', empty),
      simAsync('import', BASELINE, '--from', 'noon', '--to', '2015-07-31 17:09:00'),
      simAsync('import', join(tmp, 'broken')),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^sim: import directory .*nope does not exist or is not a directory\n$/);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/^sim: .*empty holds nothing importable: expected clients\/<region>\/<client>\/<report>/);
    expect(badTime.code).toBe(2);
    expect(badTime.stderr).toBe('sim: --from must be a UTC time like "2015-07-31 15:36:00" (got "noon")\n');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^sim: .*broken\/clients\/eu-west-1\/1\.2\.3\.4\/1:4: Latency sampleCount is not a number \(got "six"\)\n$/);
  });
});
