/**
 * `npm run validate:all`: every slow check of the simulator against measured data, run as a user
 * would run it (`sim calibrate`, `sim validate` in child processes), with the results written by
 * the script, never typed: docs/validation.json (every figure, command, timing, the commit) and
 * docs/validation.md (one table per check, rendered from the JSON). The checks, each selectable
 * with `--only a,b` (the results of the others stay as they were in the files):
 *
 * - in-sample: the committed calibrate/fit/data/baseline-params.json on the baseline it was fitted
 *   on, seed 1 and the mean of seeds 2–5 (`--force`: NOT A VALIDATION, a check of the fit);
 * - plain: the plain command from the priors, then validated in-sample (figures and wall time);
 * - split-ab, split-ba: calibrated from the priors on four regions, predicting the other four;
 * - live: calibrated on each committed live baseline Report, predicting the live Reports of the
 *   other architectures beside it (calibrate/fit/data/live-*);
 * - live-repeats: where live runs were repeated (`<name>-seed-<s>.json` beside `<name>.json`), the
 *   baseline and its repeats calibrated together, each other architecture predicted against the
 *   mean of its repeats (`sim validate --repeats`);
 * - replicates: each live run made more than once (`<name>-seed-<s>.json` beside `<name>.json`)
 *   compared with the mean of its repeats instead of the simulator (`sim validate --replicates`):
 *   how well the system reproduces itself, a ceiling for any prediction of one run.
 *
 * `--quick` shrinks every budget to test the plumbing (seconds, not hours); its files say QUICK
 * and go to out/validation-quick/ (docs/ is refused). Intermediate params files and each step's
 * output go to out/validate-all[-quick]/ (git-ignored). Progress on stderr.
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { machine, machineBusyS, type Machine } from '../bench/machine.ts';
import { parseValidation, validationTable } from './validation-table.ts';

export const FORMAT = 'sim-validation/1';
export const QUICK_LABEL = 'QUICK: tiny budgets that test the plumbing of `npm run validate:all -- --quick`; these figures are NOT a result';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BASELINE = 'data/thesis-2015/baseline';
const CALIBRATED = 'calibrate/fit/data/baseline-params.json';
const COUNTERS = ['--counters', 'calibrate/fit/data/thesis-baseline/redis-info.txt', 'calibrate/fit/data/thesis-baseline/mysql-status.txt'];
const WINDOW = ['--from', '2015-07-31 15:36:00', '--to', '2015-07-31 17:09:00'];
const HALF_A = 'eu-west-1,us-west-2,sa-east-1,ap-northeast-1';
const HALF_B = 'us-east-1,us-west-1,ap-southeast-1,ap-southeast-2';
/** The budget of the splits: the plain command's defaults (what a user gets), as in docs/calibration.md. */
const SPLIT_BUDGET: string[] = [];
const QUICK_FIT = ['--max-evals', '4', '--population', '2', '--fit-duration', '10', '--no-confirm'];
const QUICK_VALIDATE = ['--duration', '10'];

/**
 * One `sim` command of a check; `budget`: flags added to it in a full run, which --quick replaces
 * with `quick` (default: the tiny budget of its command, QUICK_VALIDATE or QUICK_FIT).
 */
interface Step { name: string; args: string[]; budget?: string[]; quick?: string[] }

interface Check {
  title: string;
  /** the target the issue sets, in words; null when the check has none */
  target: string | null;
  /** whether the steps meet the target (null: no target) */
  met: (steps: readonly StepResult[]) => boolean | null;
  steps: (work: string) => Step[];
}

export interface StepResult {
  name: string;
  /** as a user types it (`sim ...`; from the repository root) */
  command: string;
  started: string;
  wallS: number;
  /** user + system CPU of the child process, all its threads */
  cpuS: number | null;
  /** 1-minute load average at the start and at the end */
  load1: [number, number];
  /** CPU seconds the rest of the machine used meanwhile (all cores busy minus this step's) */
  otherCpuS: number | null;
  exitCode: number;
  /** `sim validate`: figures within tolerance, and the per-region table */
  within: { n: number; of: number } | null;
  table: string | null;
  /** `sim calibrate`: the loss and finding lines of its stderr */
  notes: string[];
}

export interface CheckResult {
  title: string;
  target: string | null;
  met: boolean | null;
  command: string;
  commit: string;
  dirty: string[];
  machine: Machine;
  started: string;
  finished: string;
  steps: StepResult[];
}

export interface Results { format: string; label: string | null; checks: Record<string, CheckResult> }

const atLeast = (n: number) => (steps: readonly StepResult[]) => {
  const v = steps.filter((s) => s.name.startsWith('validate'));
  return v.length > 0 && v.every((s) => s.within !== null && s.within.n >= n);
};

function split(fit: string, predict: string, file: string): (work: string) => Step[] {
  return (work) => [
    { name: 'calibrate', args: ['calibrate', '--measured', BASELINE, '--regions', fit, '--with-server-files', ...COUNTERS, ...WINDOW, '--out', join(work, file)], budget: SPLIT_BUDGET },
    { name: 'validate', args: ['validate', '--params', join(work, file), '--measured', BASELINE, '--regions', predict, '--replications', '3'] },
  ];
}

/** Where the committed live Reports lie, one folder per set (calibrate/fit/data/live-*). */
const LIVE_DATA = 'calibrate/fit/data';

/** Each committed live set: its folder and its Report files, sorted. */
function liveSets(): { dir: string; files: string[] }[] {
  return readdirSync(join(ROOT, LIVE_DATA)).filter((d) => d.startsWith('live-')).sort()
    .map((dir) => ({ dir, files: readdirSync(join(ROOT, LIVE_DATA, dir)).filter((f) => f.endsWith('.json')).sort() }));
}

/** A set's runs by name: `<name>.json` with its repeats `<name>-seed-<s>.json` (another load-generator seed), sorted. */
function repeatGroups(files: readonly string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const base of files.filter((f) => !f.includes('-seed-'))) {
    const name = base.slice(0, -'.json'.length);
    groups.set(name, [base, ...files.filter((f) => f.startsWith(`${name}-seed-`))]);
  }
  return groups;
}

/**
 * The live baseline Reports committed, and beside each the Reports of other architectures (each
 * run alone, its repeats too; a repeat of the baseline is not another architecture).
 */
function liveSteps(work: string): Step[] {
  const data = LIVE_DATA;
  const steps: Step[] = [];
  for (const { dir, files } of liveSets()) {
    if (!files.includes('baseline.json')) continue;
    const params = join(work, `${dir}-baseline.json`);
    steps.push({ name: `calibrate ${dir}/baseline.json`, args: ['calibrate', '--measured', `${data}/${dir}/baseline.json`, '--out', params] });
    const baselineRuns = repeatGroups(files).get('baseline') ?? [];
    for (const f of files.filter((x) => !baselineRuns.includes(x))) {
      steps.push({ name: `validate ${dir}/${f}`, args: ['validate', '--params', params, '--measured', `${data}/${dir}/${f}`, '--replications', '5'] });
    }
  }
  return steps;
}

/**
 * The live sets whose runs were repeated: calibrated on the baseline and its repeats together,
 * each other architecture's run predicted against the mean of its repeats (`sim validate
 * --repeats`), which carries 1/√k of one run's scatter.
 */
function liveRepeatSteps(work: string): Step[] {
  const data = LIVE_DATA;
  const steps: Step[] = [];
  for (const { dir, files } of liveSets()) {
    const groups = repeatGroups(files);
    const baseline = groups.get('baseline');
    const repeated = [...groups].filter(([name, g]) => name !== 'baseline' && g.length >= 2);
    if (!baseline || repeated.length === 0) continue;
    const params = join(work, `${dir}-baseline-repeats.json`);
    steps.push({ name: `calibrate ${dir}/${baseline.join(' ')}`, args: ['calibrate', '--measured', ...baseline.map((f) => `${data}/${dir}/${f}`), '--out', params] });
    for (const [name, g] of repeated) {
      const measured = g.map((f) => `${data}/${dir}/${f}`);
      steps.push({ name: `validate ${dir}/${name} (mean of ${g.length})`, args: ['validate', '--params', params, '--measured', ...measured, '--repeats', '--replications', '5'] });
    }
  }
  return steps;
}

/**
 * The live runs made more than once (`<name>.json` beside `<name>-seed-<s>.json`: the same
 * architecture, users and settings, another load-generator seed), each compared with the mean of
 * its repeats in place of the simulator.
 */
function replicateSteps(): Step[] {
  const data = LIVE_DATA;
  const steps: Step[] = [];
  for (const { dir, files } of liveSets()) {
    for (const names of repeatGroups(files).values()) {
      const group = names.map((f) => `${data}/${dir}/${f}`);
      if (group.length < 2) continue;
      for (const run of group) {
        // measured runs only, nothing simulated: no budget to shrink under --quick
        steps.push({ name: `compare ${run.slice(data.length + 1)}`, args: ['validate', '--measured', run, '--replicates', ...group.filter((g) => g !== run)], quick: [] });
      }
    }
  }
  return steps;
}

export const CHECKS: Record<string, Check> = {
  'in-sample': {
    title: 'the committed parameters on the data they were fitted on (NOT A VALIDATION)',
    target: null,
    met: () => null,
    steps: () => {
      const args = ['validate', '--params', CALIBRATED, '--measured', BASELINE, ...COUNTERS, ...WINDOW, '--force'];
      return [{ name: 'validate, seed 1', args }, { name: 'validate, mean of seeds 2–5', args: [...args, '--seed', '2', '--replications', '4'] }];
    },
  },
  plain: {
    title: 'the plain command from the priors, validated in-sample (NOT A VALIDATION)',
    target: '≥ 80 of 83 figures within tolerance (81 without counter files), the calibration in ≤ 10 min',
    met: (steps) => atLeast(80)(steps) && steps.some((s) => s.name === 'calibrate' && s.exitCode === 0 && s.wallS <= 600),
    steps: (work) => [
      { name: 'calibrate', args: ['calibrate', '--measured', BASELINE, '--out', join(work, 'plain.json')], budget: [] },
      { name: 'validate', args: ['validate', '--params', join(work, 'plain.json'), '--measured', BASELINE, '--force'] },
    ],
  },
  'split-ab': {
    title: 'calibrated from the priors on Ireland, Oregon, São Paulo, Tokyo; predicting N. Virginia, N. California, Singapore, Sydney',
    target: '≥ 35 of 41',
    met: atLeast(35),
    steps: split(HALF_A, HALF_B, 'split-A.json'),
  },
  'split-ba': {
    title: 'calibrated from the priors on N. Virginia, N. California, Singapore, Sydney; predicting Ireland, Oregon, São Paulo, Tokyo',
    target: '≥ 35 of 41',
    met: atLeast(35),
    steps: split(HALF_B, HALF_A, 'split-B.json'),
  },
  live: {
    title: 'calibrated on a live baseline run, predicting live runs of other architectures',
    target: '≥ 70 of 83 for each prediction',
    met: atLeast(70),
    steps: liveSteps,
  },
  'live-repeats': {
    title: 'calibrated on a live baseline run and its repeats, predicting the mean of the repeats of each other architecture\'s run',
    target: '≥ 70 of 83 for each prediction',
    met: atLeast(70),
    steps: liveRepeatSteps,
  },
  replicates: {
    title: 'live runs made more than once (another load-generator seed), each predicted by the mean of its repeats instead of the simulator (NOT A PREDICTION: how well the system reproduces itself)',
    target: null,
    met: () => null,
    steps: replicateSteps,
  },
};

/** The command line as a user types it: words quoted where the shell would split them. */
export function shellLine(args: readonly string[]): string {
  return args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `"${a}"`)).join(' ');
}

/** A step's arguments: with its budget flags, or under --quick tiny ones instead. */
function stepArgs(step: Step, quick: boolean): string[] {
  if (!quick) return [...step.args, ...(step.budget ?? [])];
  return [...step.args, ...(step.quick ?? (step.args[0] === 'validate' ? QUICK_VALIDATE : QUICK_FIT))];
}

/** Seconds as "8.3 s", "2 min 5 s" or "1 h 12 min". */
export function fmtDuration(s: number): string {
  if (s < 59.95) return `${s.toFixed(1)} s`;
  const whole = Math.round(s);
  const m = Math.floor(whole / 60);
  return m < 60 ? `${m} min ${whole % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Writes the CPU time of the whole child process (every thread) on its stderr as it exits. */
const CPU_HOOK = 'data:text/javascript,process.on("exit",()=>{const u=process.cpuUsage();process.stderr.write(`\\nvalidate-all-cpu ${u.user+u.system}\\n`)})';
const CPU_LINE = /^validate-all-cpu (\d+)$/;

/** Runs one `sim` command in a child process; its stderr lines go on to ours behind `prefix`. */
function runSim(args: string[], logFile: string, prefix: () => string): Promise<{ code: number; stdout: string; stderr: string; cpuS: number | null }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', CPU_HOOK, join(ROOT, 'bin/sim.js'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    let cpuS: number | null = null;
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      const lines = (partial + d).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const cpu = CPU_LINE.exec(line);
        if (cpu) { cpuS = Number(cpu[1]) / 1e6; continue; }
        stderr += `${line}\n`;
        if (line.trim()) process.stderr.write(`${prefix()} ${line}\n`);
      }
    });
    child.on('error', fail);
    child.on('close', (code) => {
      if (partial) stderr += partial;
      writeFileSync(logFile, `$ ${shellLine(['sim', ...args])}\n\n${stdout}\n--- stderr ---\n${stderr}`);
      done({ code: code ?? 1, stdout, stderr: stderr.trimEnd(), cpuS });
    });
  });
}

/** The code the checks ran: HEAD and the tracked files that differ from it (the results files aside). */
export function gitState(): { commit: string; dirty: string[] } {
  const git = (...a: string[]) => execFileSync('git', a, { cwd: ROOT, encoding: 'utf8' });
  const commit = git('rev-parse', 'HEAD').trim();
  const dirty = git('status', '--porcelain', '--untracked-files=no', '--', '.', ':!docs/validation.md', ':!docs/validation.json')
    .split('\n').filter(Boolean).map((l) => l.slice(3));
  return { commit, dirty };
}

interface RunOptions { quick: boolean; workDir: string; command: string }

/** Runs one step, timing it, and reads its figures. */
async function runStep(step: Step, check: string, at: { k: number; total: number; t0: number; index: number }, opts: RunOptions): Promise<StepResult> {
  const args = stepArgs(step, opts.quick);
  const command = shellLine(['sim', ...args]);
  const elapsed = () => fmtDuration((performance.now() - at.t0) / 1000);
  process.stderr.write(`validate-all: [${at.k}/${at.total}] ${check}, ${step.name} (${elapsed()} elapsed): ${command}\n`);
  const started = new Date().toISOString();
  const load0 = loadavg()[0];
  const busy0 = machineBusyS();
  const s0 = performance.now();
  const out = await runSim(args, join(ROOT, opts.workDir, `${check}-${at.index + 1}.log`), () => `validate-all: [${at.k}/${at.total} ${check}, ${elapsed()}]`);
  const wallS = (performance.now() - s0) / 1000;
  const busy1 = machineBusyS();
  const parsed = args[0] === 'validate' ? parseValidation(out.stdout) : null;
  const notes = args[0] === 'calibrate'
    ? out.stderr.split('\n').filter((l) => /^calibrate: (loss |fit done|finding|server CPU)/.test(l)).map((l) => l.replace(/^calibrate: /, ''))
    : [];
  if (out.code !== 0) notes.push(`exit code ${out.code}: ${out.stderr.split('\n').pop() ?? ''}`);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    name: step.name,
    command,
    started,
    wallS: round(wallS),
    cpuS: out.cpuS === null ? null : round(out.cpuS),
    load1: [round(load0), round(loadavg()[0])],
    otherCpuS: busy0 === null || busy1 === null || out.cpuS === null ? null : round(Math.max(0, busy1 - busy0 - out.cpuS)),
    exitCode: out.code,
    within: parsed?.within ?? null,
    table: parsed && parsed.rows.size > 0 ? validationTable(out.stdout) : null,
    notes,
  };
}

/** Runs the checks named, one after the other; `save` is called after each with its result. */
async function runChecks(names: readonly string[], opts: RunOptions, save: (name: string, r: CheckResult) => void): Promise<boolean> {
  const { commit, dirty } = gitState();
  const plan = names.map((name) => ({ name, steps: CHECKS[name].steps(opts.workDir) }));
  const total = plan.reduce((a, c) => a + c.steps.length, 0);
  const t0 = performance.now();
  let k = 0;
  let ok = true;
  for (const { name, steps } of plan) {
    const started = new Date().toISOString();
    const done: StepResult[] = [];
    for (const [index, step] of steps.entries()) {
      k++;
      const r = await runStep(step, name, { k, total, t0, index }, opts);
      done.push(r);
      if (r.exitCode !== 0) {
        ok = false;
        process.stderr.write(`validate-all: ${name}, ${step.name} failed (exit code ${r.exitCode}); the rest of ${name} is skipped\n`);
        k += steps.length - index - 1;
        break;
      }
    }
    const c = CHECKS[name];
    save(name, { title: c.title, target: c.target, met: opts.quick ? null : c.met(done), command: opts.command, commit, dirty, machine: machine(), started, finished: new Date().toISOString(), steps: done });
  }
  return ok;
}

const within = (s: StepResult) => (s.within ? `${s.within.n} of ${s.within.of}` : '');

/** docs/validation.md from the results: a summary, then per check its runs, timings and tables. */
export function renderMarkdown(results: Results): string {
  const names = Object.keys(CHECKS).filter((n) => results.checks[n]);
  const out = ['# Validation: the slow checks', ''];
  if (results.label) out.push(`**${results.label}**`, '');
  out.push(
    'Generated by `npm run validate:all` (scripts/validate-all.ts) from validation.json beside this',
    'file; not edited by hand. Each check states the command that ran it, when, on which commit and',
    'machine; `--only` reruns some checks and leaves the others as they were. Tolerances: means and',
    'medians 10 %, p98 25 %, connected 1 %, counts 10 %, updates per user 10 % (shown, not counted;',
    'docs/calibration.md); ✗ marks a figure',
    'outside its tolerance, ✗~ one outside it whose measured value still lies within the simulator\'s',
    'own run-to-run spread (with several seeds: the 95 % prediction interval of one run), which one',
    'measured run cannot tell from a miss. CPU is the child process\'s (every thread); "other work" is',
    'what the rest of the machine used meanwhile.',
    '',
    ...summaryTable(results),
  );
  for (const n of names) out.push('', ...checkSection(n, results.checks[n]));
  return `${out.join('\n')}\n`;
}

/** One line per check: its figures within tolerance, target, whether met, when and on which commit (the README shows it too). */
export function summaryTable(results: Results): string[] {
  const names = Object.keys(CHECKS).filter((n) => results.checks[n]);
  return [
    '| check | within tolerance | target | met | ran on |',
    '|---|---|---|---|---|',
    ...names.map((n) => {
      const c = results.checks[n];
      const met = c.met === null ? '—' : c.met ? 'yes' : '**no**';
      return `| ${n}: ${c.title} | ${c.steps.map(within).filter(Boolean).join(', ') || '—'} | ${c.target ?? 'none'} | ${met} | ${c.started.slice(0, 16).replace('T', ' ')} UTC, \`${c.commit.slice(0, 10)}\`${c.dirty.length ? ' (uncommitted changes)' : ''} |`;
    }),
  ];
}

function checkSection(name: string, c: CheckResult): string[] {
  const m = c.machine;
  const out = [
    `## ${name}: ${c.title}`,
    '',
    `\`${c.command}\`, started ${c.started.slice(0, 19).replace('T', ' ')} UTC, finished ${c.finished.slice(0, 19).replace('T', ' ')} UTC, on commit`,
    `\`${c.commit}\`${c.dirty.length ? ` with uncommitted changes in ${c.dirty.join(', ')}` : ''}, on ${m.cpu}, ${m.cores} cores, node ${m.node}.`,
    `Target: ${c.target ?? 'none (a check of the fit)'}${c.met === null ? '' : c.met ? ': met.' : ': **not met**.'}`,
    '',
    '    ' + c.steps.map((s) => s.command).join('\n    '),
    '',
    '| step | wall | CPU | load average, start → end | other work\'s CPU | within tolerance |',
    '|---|---|---|---|---|---|',
    ...c.steps.map((s) => `| ${s.name}${s.exitCode ? ` (exit code ${s.exitCode})` : ''} | ${fmtDuration(s.wallS)} | ${s.cpuS === null ? '—' : fmtDuration(s.cpuS)} | ${s.load1[0].toFixed(1)} → ${s.load1[1].toFixed(1)} | ${s.otherCpuS === null ? '—' : fmtDuration(s.otherCpuS)} | ${within(s) || '—'} |`),
  ];
  for (const s of c.steps) {
    if (s.notes.length) out.push('', `${s.name}:`, '', ...s.notes.map((l) => `- ${l}`));
    if (s.table) out.push('', `### ${name}, ${s.name}`, '', s.table);
  }
  return out;
}

/** The results already in `file` that a run of some checks keeps (null when there are none to keep). */
function previous(file: string, label: string | null): Results | null {
  if (!existsSync(file)) return null;
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as Results;
    return r.format === FORMAT && r.label === label && r.checks && typeof r.checks === 'object' ? r : null;
  } catch {
    process.stderr.write(`validate-all: ${file} is not valid JSON; it is replaced\n`);
    return null;
  }
}

const USAGE = `usage: npm run validate:all -- [--only ${Object.keys(CHECKS).join(',')}] [--quick] [--out-dir <dir>]`;

async function main(argv: string[]): Promise<number> {
  const { parseArgs } = await import('node:util');
  let values: { only?: string; quick?: boolean; 'out-dir'?: string };
  try {
    ({ values } = parseArgs({ args: argv, options: { only: { type: 'string' }, quick: { type: 'boolean' }, 'out-dir': { type: 'string' } }, strict: true }));
  } catch (err) {
    process.stderr.write(`validate-all: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const names = values.only === undefined ? Object.keys(CHECKS) : values.only.split(',').map((s) => s.trim());
  const unknown = names.filter((n) => !(n in CHECKS));
  if (unknown.length || names.length === 0) {
    process.stderr.write(`validate-all: --only must list checks among ${Object.keys(CHECKS).join(', ')} (got "${values.only}")\n`);
    return 2;
  }
  const quick = values.quick === true;
  const outDir = resolve(ROOT, values['out-dir'] ?? (quick ? 'out/validation-quick' : 'docs'));
  if (quick && outDir === resolve(ROOT, 'docs')) {
    process.stderr.write('validate-all: --out-dir must not be docs with --quick (QUICK figures are not results); leave it out to write out/validation-quick/\n');
    return 2;
  }
  const workDir = quick ? 'out/validate-all-quick' : 'out/validate-all';
  mkdirSync(join(ROOT, workDir), { recursive: true });
  mkdirSync(outDir, { recursive: true });
  const label = quick ? QUICK_LABEL : null;
  const jsonFile = join(outDir, 'validation.json');
  const results: Results = previous(jsonFile, label) ?? { format: FORMAT, label, checks: {} };
  const command = `npm run validate:all${argv.length ? ` -- ${shellLine(argv)}` : ''}`;
  const ok = await runChecks([...new Set(names)], { quick, workDir, command }, (name, r) => {
    results.checks[name] = r;
    writeFileSync(jsonFile, `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(join(outDir, 'validation.md'), renderMarkdown(results));
    process.stderr.write(`validate-all: ${name}: ${r.steps.map(within).filter(Boolean).join(', ') || 'no figures'}; wrote ${join(outDir, 'validation.md')}\n`);
  });
  return ok ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) process.exitCode = await main(process.argv.slice(2));
