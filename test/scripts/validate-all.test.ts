import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Results } from '../../scripts/validate-all.ts';
import { CHECKS, QUICK_LABEL, fmtDuration, shellLine } from '../../scripts/validate-all.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'scripts/validate-all.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });

describe('npm run validate:all (scripts/validate-all.ts)', () => {
  const out = mkdtempSync(join(tmpdir(), 'validate-all-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('runs the in-sample check with tiny budgets and writes its figures, labelled QUICK', () => {
    const r = run('--only', 'in-sample', '--quick', '--out-dir', out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/validate-all: \[1\/2\] in-sample/);
    const results = JSON.parse(readFileSync(join(out, 'validation.json'), 'utf8')) as Results;
    expect(results.label).toBe(QUICK_LABEL);
    expect(Object.keys(results.checks)).toEqual(['in-sample']);
    const check = results.checks['in-sample'];
    expect(check.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(check.steps.map((s) => s.command)).toEqual(CHECKS['in-sample'].steps('').map((s) => shellLine(['sim', ...s.args, '--duration', '10'])));
    for (const step of check.steps) {
      expect(step.exitCode).toBe(0);
      // the baseline's 8 regions × 10 figures and the 3 counts, read from the output of sim validate
      expect(step.within?.of).toBe(83);
      expect(step.within!.n).toBeGreaterThanOrEqual(0);
      expect(step.within!.n).toBeLessThanOrEqual(83);
      expect(step.table?.match(/^\| (Ireland|N\. Virginia|Oregon|N\. California|São Paulo|Singapore|Tokyo|Sydney) \|/gm)).toHaveLength(8);
      expect(step.wallS).toBeGreaterThan(0);
      expect(step.cpuS).toBeGreaterThan(0);
    }
    const md = readFileSync(join(out, 'validation.md'), 'utf8');
    expect(md).toContain(`**${QUICK_LABEL}**`);
    expect(md).toContain(`| in-sample: ${check.title} | ${check.steps.map((s) => `${s.within!.n} of 83`).join(', ')} |`);
    expect(md).toContain(check.steps[1].command);
  }, 120_000);

  it('refuses QUICK figures for docs/ and unknown checks, with one line and exit code 2', () => {
    const before = existsSync(join(ROOT, 'docs/validation.json')) ? readFileSync(join(ROOT, 'docs/validation.json'), 'utf8') : null;
    const docs = run('--only', 'in-sample', '--quick', '--out-dir', 'docs');
    expect(docs.status).toBe(2);
    expect(docs.stderr.trim()).toMatch(/^validate-all: --out-dir must not be docs with --quick/);
    expect(existsSync(join(ROOT, 'docs/validation.json')) ? readFileSync(join(ROOT, 'docs/validation.json'), 'utf8') : null).toBe(before);
    const unknown = run('--only', 'in-sample,splits', '--quick', '--out-dir', out);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.trim()).toBe('validate-all: --only must list checks among in-sample, plain, split-ab, split-ba, live, live-repeats, replicates (got "in-sample,splits")');
  });
});

describe('validate-all durations', () => {
  it.each([[8.26, '8.3 s'], [119.6, '2 min 0 s'], [125, '2 min 5 s'], [4320, '1 h 12 min']])('%s s reads %s', (s, text) => {
    expect(fmtDuration(s)).toBe(text);
  });
});

describe('the live checks of validate-all', () => {
  /** the Report files a step reads with --measured */
  const measuredOf = (args: readonly string[]) => {
    const i = args.indexOf('--measured');
    const end = args.findIndex((a, k) => k > i && a.startsWith('--'));
    return args.slice(i + 1, end < 0 ? undefined : end);
  };

  it('live-repeats calibrates on a baseline with its repeats and predicts each repeated run against the mean of its repeats', () => {
    const steps = CHECKS['live-repeats'].steps('work');
    expect(steps.length).toBeGreaterThan(0);
    for (const s of steps) {
      const files = measuredOf(s.args);
      const names = new Set(files.map((f) => f.replace(/^.*\//, '').replace(/(-seed-[^.]+)?\.json$/, '')));
      // one run and its repeats per step
      expect(names.size, s.name).toBe(1);
      if (s.args[0] === 'validate') {
        expect(s.args).toContain('--repeats');
        expect(files.length).toBeGreaterThanOrEqual(2);
        expect([...names][0]).not.toBe('baseline');
      } else expect([...names][0]).toBe('baseline');
    }
  });

  it('live predicts the runs of other architectures one by one, never a repeat of the baseline', () => {
    for (const s of CHECKS.live.steps('work').filter((x) => x.args[0] === 'validate')) {
      expect(measuredOf(s.args)).toHaveLength(1);
      expect(measuredOf(s.args)[0]).not.toMatch(/\/baseline(-seed-[^/]+)?\.json$/);
    }
  });
});
