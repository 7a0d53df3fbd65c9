import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simChild } from '../sim-child.ts';
import { afterAll, describe, expect, it } from 'vitest';
import { runInput } from '../../sim/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'sim-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `sim <args>` in a child process (asynchronous, so the cases of a test can run at once). */
async function sim(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await simChild(args, { timeoutMs: 60_000 });
  return { status: code, stdout, stderr };
}

const defaults = { arch: 'baseline', users: '24000', duration: '90m', regions: 'uniform', seed: '1', format: 'table', progress: false };

describe('sim run flags', () => {
  it('defaults reproduce the benchmark: 24,000 users at 120/s, 90 min after the ramp, 8 regions', () => {
    const i = runInput(defaults);
    expect(i.scenario).toMatchObject({ users: 24_000, rampPerS: 120, durationS: 5_400 });
    expect(Object.keys(i.scenario.regionMix)).toHaveLength(8);
    expect(i.arch.name).toBe('baseline');
  });
  it('keeps the 200 s ramp for other loads and applies what-if switches to the architecture', () => {
    const i = runInput({ ...defaults, arch: 'proposed1', users: '1e6', dbMode: 'batched', broadcastCheck: 'atomic', window: '1.5', scale: '2' });
    expect(i.scenario.rampPerS).toBe(5_000);
    expect(i.arch.dbMode).toBe('batched');
    expect(i.arch.broadcast).toEqual({ windowS: 1.5, check: 'atomic' });
    expect(i.arch.servers.every((g) => g.count === 2)).toBe(true);
  });
});

describe('sim run on the command line', () => {
  it('bad input: one line naming the field, the value and the rule; exit code 2; no stack trace', async () => {
    const badArch = join(dir, 'bad-arch.json');
    writeFileSync(badArch, JSON.stringify({ ...JSON.parse(readFileSync(new URL('../../model/data/architectures/proposed1.json', import.meta.url), 'utf8')), dbMode: 'psychic' }));
    const notJson = join(dir, 'not-json.json');
    writeFileSync(notJson, '{ "name": ');
    const cases: Array<[string[], RegExp]> = [
      [['run', '--users', '-5'], /^sim: --users must be a positive integer .*\(got "-5"\)$/],
      [['run', '--arch', 'proposed9'], /^sim: --arch must be one of baseline, proposed1, proposed2 .*\(got "proposed9"\)$/],
      [['run', '--arch', badArch], /^sim: dbMode must be one of blocking, async, batched \(got "psychic"\) in .*bad-arch\.json$/],
      [['run', '--arch', notJson], /^sim: architecture file .*not-json\.json is not valid JSON/],
      [['run', '--duration', 'forever'], /^sim: --duration must be a duration such as 90m/],
      [['run', '--regions', 'atlantis'], /^sim: --regions must be one of uniform, ucl-final/],
      [['run', '--params', join(dir, 'missing.json')], /^sim: --params file .*missing\.json cannot be read \(ENOENT\)$/],
    ];
    const results = await Promise.all(cases.map(([args]) => sim(...args)));
    for (const [i, [args, pattern]] of cases.entries()) {
      const r = results[i];
      expect(r.status, args.join(' ')).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines, args.join(' ')).toHaveLength(1);
      expect(lines[0]).toMatch(pattern);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
  it('limits and commander\'s own errors: the same one line and exit code 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['run', '--users', '1e12'], /^sim: --users must be at most 134,217,726, .*\(got 1,000,000,000,000\)/],
      [['run', '--users', '1e9', '--duration', '1s'], /^sim: --users must be at most 134,217,726, .*\(got 1,000,000,000\)/],
      [['sweep', '--arch', 'baseline', '--users', '1e4,1e12', '--out', join(dir, 'no-sweep')], /^sim: --users must be at most 134,217,726, .*\(got 1,000,000,000,000\)/],
      [['run', '--duration', '20000000h'], /^sim: --duration 72,000,000,000 s needs about [\d.]+ GB of memory .*more than this machine's/],
      [['run', '--bogus'], /^sim: unknown option '--bogus' \(see sim run --help\)$/],
      [['calibrate'], /^sim: required option '--measured .*' not specified \(see sim calibrate --help\)$/],
      [['validate', '--params', 'calibrate/fit/data/baseline-params.json'], /^sim: required option '--measured .*' not specified \(see sim validate --help\)$/],
      [['frob'], /^sim: unknown command 'frob' \(see sim --help\)$/],
    ];
    const results = await Promise.all(cases.map(([args]) => sim(...args)));
    for (const [i, [args, pattern]] of cases.entries()) {
      const r = results[i];
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim(), args.join(' ')).toMatch(pattern);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  }, 180_000);
  it('writes the Report with --out and prints the per-region table; the same seed gives the same bytes', async () => {
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    const [r, json] = await Promise.all([
      sim('run', '--users', '800', '--duration', '2m', '--out', a, '--no-progress'),
      sim('run', '--users', '800', '--duration', '2m', '--out', b, '--format', 'json', '--no-progress'),
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^baseline · 800 users · blocking drivers · seed 1/);
    expect(r.stdout).toMatch(/\nSydney  /);
    expect(r.stdout).toMatch(/connected\s+800 of 800/);
    expect(JSON.parse(json.stdout).kind).toBe('sim');
    expect(readFileSync(a, 'utf8')).toBe(readFileSync(b, 'utf8'));
  });
});

describe('params files: one reader for every command', () => {
  const calibrated = 'calibrate/fit/data/baseline-params.json';
  it('sim sweep --params takes what `sim calibrate` writes, as sim run does', async () => {
    const out = join(dir, 'sweep-calibrated');
    const r = await sim('sweep', '--arch', 'baseline', '--users', '200', '--duration', '10s', '--params', calibrated, '--workers', '1', '--out', out, '--no-progress');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const cell = JSON.parse(readFileSync(join(out, readdirSync(out).find((f) => f !== 'summary.json' && f.endsWith('.json'))!), 'utf8'));
    expect(cell.params.loopPauseMedianMs).toBe(JSON.parse(readFileSync(calibrated, 'utf8')).params.loopPauseMedianMs);
  });
  it('run, sweep and plan give the same one line listing every problem of a bad file', async () => {
    const bad = join(dir, 'bad-params.json');
    writeFileSync(bad, JSON.stringify({ params: { cpuPredictMs: -3, nope: 1 }, provenance: {} }));
    const expected = `sim: ${bad} has 2 problems: params: cpuPredictMs must be between 0.01 and 50 (got -3); params: unknown key "nope"\n`;
    const commands = [['run'], ['sweep', '--arch', 'baseline', '--users', '100'], ['plan', '--users', '100', '--slo', 'request.p98<500ms']];
    const results = await Promise.all(commands.map((command) => sim(...command, '--params', bad, '--no-progress')));
    for (const [i, command] of commands.entries()) {
      const r = results[i];
      expect(r.stderr, command[0]).toBe(expected);
      expect(r.status, command[0]).toBe(2);
    }
  });
});
