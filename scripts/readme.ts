import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { MECHANISMS, withoutMechanism } from '../model/mechanisms.ts';
import type { Report } from '../model/report.ts';
import { fmtInt, fmtMs, inUnit, unitFor } from '../model/table.ts';
import { runInput } from '../sim/cli.ts';
import type { SimInput } from '../sim/input.ts';
import { simulate } from '../sim/run.ts';
import { summaryTable, type Results } from './validate-all.ts';

/**
 * The README's result tables, generated rather than typed: `npm run readme` runs the what-if
 * runs (each a `sim run` with the CLI's defaults: 24,000 users, 90 minutes, seed 1) and rewrites
 * the text between `<!-- readme:<name> -->` and `<!-- /readme:<name> -->` in README.md, with the
 * machine, its load and the wall time of the runs beside the timing. `npm run readme -- --plans`
 * also runs the README's `sim plan` commands (minutes) and rewrites their table;
 * `npm run readme -- --mechanisms` also runs the study's three architectures with each mechanism
 * of model/mechanisms.ts switched off alone (a few minutes) and rewrites that table.
 * test/scripts/readme.test.ts checks the committed default-parameter table against a fresh run.
 */

export const CALIBRATED = 'calibrate/fit/data/baseline-params.json';

/** The what-if rows: architecture and driver mode, as `sim run --arch <a> --db-mode <m>`. */
export const WHAT_IFS: ReadonlyArray<readonly [string, string]> = [
  ['baseline', 'blocking'],
  ['proposed1', 'blocking'],
  ['proposed1', 'async'],
  ['proposed1', 'batched'],
  ['proposed2', 'blocking'],
  ['proposed2', 'batched'],
];

export interface TimedReport { report: Report; wallS: number }

/** One `sim run` in this process, as the CLI would build it from these flags. */
export function runLike(flags: RunLikeFlags): TimedReport {
  return timed(inputLike(flags));
}

type RunLikeFlags = { arch: string; dbMode: string; params?: string; broadcastCheck?: string; duration?: string; seed?: string };

function inputLike(flags: RunLikeFlags): SimInput {
  return runInput({ users: '24000', duration: '90m', regions: 'uniform', seed: '1', format: 'table', progress: false, ...flags });
}

function timed(input: SimInput): TimedReport {
  const start = performance.now();
  const { report } = simulate(input);
  return { report, wallS: (performance.now() - start) / 1000 };
}

/** The inputs of the what-if runs, with the default parameters or a params file. */
export function whatIfInputs(params?: string): SimInput[] {
  return WHAT_IFS.map(([arch, dbMode]) => inputLike({ arch, dbMode, params }));
}

/** The what-if runs, with the default parameters or a params file. */
export function whatIfRuns(params?: string): TimedReport[] {
  return whatIfInputs(params).map(timed);
}

/** The what-if table as Markdown: one unit per latency column, chosen for the column. */
export function whatIfTable(reports: readonly Report[]): string {
  const latency = [
    ['handshake mean, Sydney', (r: Report) => r.regions['ap-southeast-2']?.handshake.mean ?? null],
    ['request mean, Ireland', (r: Report) => r.regions['eu-west-1']?.request.mean ?? null],
    ['request mean, Sydney', (r: Report) => r.regions['ap-southeast-2']?.request.mean ?? null],
    ['request p98, all regions', (r: Report) => r.global.request.p98],
    ['broadcast mean', (r: Report) => r.global.broadcast.mean],
  ] as const;
  const units = latency.map(([, pick]) => unitFor(reports.map(pick)));
  const head = ['architecture', 'drivers', 'connected', ...latency.map(([name], i) => `${name}, ${units[i].name}`), '$ per hour'];
  const rows = reports.map((r) => [
    r.arch,
    String(r.extra?.dbMode ?? ''),
    `${r.global.connected.toLocaleString('en-US')} of ${r.users.toLocaleString('en-US')}${r.global.pending ? ` (${r.global.pending.toLocaleString('en-US')} pending at the end)` : ''}`,
    ...latency.map(([, pick], i) => inUnit(pick(r), units[i])),
    r.cost ? r.cost.totalHourly.toFixed(2) : '—',
  ]);
  return [head, head.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** The racy-check finding, with its figures from the calibrated async runs (racy and atomic). */
export function racyParagraph(racy: Report, atomic: Report): string {
  const n = fmtInt;
  const ms = fmtMs;
  const ireland = (r: Report) => r.regions['eu-west-1']?.request.mean ?? null;
  return [
    'One more finding the study could not see: with async drivers and the study\'s racy',
    'get-then-set batching check against a Redis an ocean away, every prediction that reaches Redis',
    `within a round trip of the last broadcast publishes again: ${n(racy.counts.broadcasts)} broadcasts instead of ${n(atomic.counts.broadcasts)}.`,
    'A handler that meets a fan-out of its process waits for the interpreter lock, so requests in',
    `Ireland wait ${ms(ireland(racy))} on average and broadcasts ${ms(racy.global.broadcast.mean)}. \`--broadcast-check atomic\` brings the`,
    `broadcasts back to ${n(atomic.counts.broadcasts)} and ${ms(atomic.global.broadcast.mean)}, and Ireland's requests to ${ms(ireland(atomic))}.`,
  ].join('\n');
}

/** The study's three architectures, as `sim run --arch <a>`. */
export const STUDY_ARCHS = ['baseline', 'proposed1', 'proposed2'] as const;

/** The baseline run's real length (its reports' longest `Time taken`, docs/calibration.md). */
export const STUDY_DURATION = '5401.878s';

export interface MechanismRow { off: string; run: TimedReport }

/**
 * One architecture as the study ran it (blocking drivers, the calibrated parameters, the
 * baseline run's real length): every mechanism on at seed 1, the same at seed 2 (what a
 * different seed alone moves), then each mechanism of model/mechanisms.ts off alone at seed 1.
 */
export function mechanismRuns(arch: string, log: (line: string) => void = () => {}): MechanismRow[] {
  const flags = { arch, dbMode: 'blocking', params: CALIBRATED, duration: STUDY_DURATION };
  const rows: MechanismRow[] = [];
  const run = (off: string, input: SimInput) => {
    const r = timed(input);
    log(`${arch}, ${off}: ${r.wallS.toFixed(1)} s`);
    rows.push({ off, run: r });
  };
  run('none (every mechanism on)', inputLike(flags));
  run('none, seed 2', inputLike({ ...flags, seed: '2' }));
  for (const m of MECHANISMS) {
    const input = inputLike(flags);
    run(m.name, { ...input, ...withoutMechanism(input.arch, input.params, m) });
  }
  return rows;
}

/** The count-weighted mean of a latency over the client regions other than Ireland (null when none has a sample). */
export function meanOutsideIreland(r: Report, metric: 'handshake' | 'request'): number | null {
  let sum = 0;
  let n = 0;
  for (const [id, region] of Object.entries(r.regions)) {
    const s = region[metric];
    if (id === 'eu-west-1' || s.mean === null) continue;
    sum += s.mean * s.count;
    n += s.count;
  }
  return n > 0 ? sum / n : null;
}

/** One architecture's table: a row per mechanism switched off, one unit per latency column. */
export function mechanismTable(rows: readonly MechanismRow[]): string {
  const latency = [
    ['handshake mean outside Ireland', (r: Report) => meanOutsideIreland(r, 'handshake')],
    ['request mean outside Ireland', (r: Report) => meanOutsideIreland(r, 'request')],
    ['request p98, Sydney', (r: Report) => r.regions['ap-southeast-2']?.request.p98 ?? null],
    ['broadcast mean', (r: Report) => r.global.broadcast.mean],
  ] as const;
  const reports = rows.map((x) => x.run.report);
  const units = latency.map(([, pick]) => unitFor(reports.map(pick)));
  const head = ['switched off', 'connected / failed / pending', ...latency.map(([name], i) => `${name}, ${units[i].name}`), 'broadcasts'];
  const body = rows.map(({ off, run: { report: r } }) => [
    off,
    [r.global.connected, r.global.failed, r.global.pending].map(fmtInt).join(' / '),
    ...latency.map(([, pick], i) => inUnit(pick(r), units[i])),
    fmtInt(r.counts.broadcasts),
  ]);
  return [head, head.map(() => '---'), ...body].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** The README block: per architecture its command and table, then how the runs were timed. */
export function mechanismsBlock(tables: ReadonlyArray<{ arch: string; rows: readonly MechanismRow[] }>, timing: string): string {
  const parts = tables.map(({ arch, rows }) => [
    `\`npx sim run --arch ${arch} --db-mode blocking --params ${CALIBRATED} --duration ${STUDY_DURATION}\`:`,
    '',
    mechanismTable(rows),
  ].join('\n'));
  const list = MECHANISMS.map((m) => {
    const off = [...Object.entries(m.off.params ?? {}).map(([k, v]) => `${k} ${String(v)}`), ...(m.off.broadcastCheck ? [`--broadcast-check ${m.off.broadcastCheck}`] : [])];
    return `- ${m.name}: ${m.what} (off: \`${off.join(', ')}\`)`;
  });
  return [...parts, list.join('\n'), timing].join('\n\n');
}

/** The README's `sim plan` examples: the flags after the objective, the objective, and what the row shows. */
export const PLANS: ReadonlyArray<{ flags: string[]; slo: string; label: string }> = [
  { flags: ['--users', '24000', '--db-mode', 'blocking'], slo: 'request.p98<500ms,broadcast.p98<1s', label: '`--users 24000 --db-mode blocking` (the study\'s drivers)' },
  { flags: ['--users', '24000', '--db-mode', 'blocking,batched'], slo: 'request.p98<500ms,broadcast.p98<1s,handshake.p98<1s', label: '`--users 24000 --db-mode blocking,batched`, adding `handshake.p98<1s`' },
  { flags: ['--users', '1e7', '--regions', 'ucl-final'], slo: 'request.p98<500ms,broadcast.p98<1s', label: '`--users 1e7 --regions ucl-final` (a Champions League final audience)' },
];

interface PlanOutcome { key: string; costPerHour: number }

/** Runs one plan as a user would (the CLI, in a child process) and times it. */
function runPlan(plan: (typeof PLANS)[number]): { best: PlanOutcome | null; runnerUp: PlanOutcome | null; wallS: number } {
  const bin = new URL('../bin/sim.js', import.meta.url).pathname;
  const start = performance.now();
  const r = spawnSync(process.execPath, [bin, 'plan', ...plan.flags, '--slo', plan.slo, '--format', 'json', '--no-progress'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const wallS = (performance.now() - start) / 1000;
  if (r.status !== 0) throw new Error(`sim plan ${plan.flags.join(' ')} failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout) as { best: PlanOutcome | null; runnerUp: PlanOutcome | null };
  return { best: out.best, runnerUp: out.runnerUp, wallS };
}

function wall(s: number): string {
  return s < 60 ? `${Math.round(s)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** The plan table: per command, its wall time, the recommendation and the runner-up with their prices. */
export function planTable(rows: ReadonlyArray<{ label: string; best: PlanOutcome | null; runnerUp: PlanOutcome | null; wallS: number }>): string {
  const design = (d: PlanOutcome | null) => (d ? `${d.key}, $${d.costPerHour.toFixed(2)}/h` : 'none meets the objective');
  return [
    '| `npx sim plan --slo "request.p98<500ms,broadcast.p98<1s" ...` | wall | recommendation | runner-up |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.label} | ${wall(r.wallS)} | ${design(r.best)} | ${design(r.runnerUp)} |`),
  ].join('\n');
}

/** The 1-minute load average when the script started. */
const START_LOAD = loadavg()[0];

/** Where and under what load a timing was taken, for the sentence beside it. */
/** The README's summary of the slow checks: docs/validation.json's table, as `npm run validate:all` last wrote it. */
export function validationBlock(results: Results): string {
  return [...summaryTable(results), '', 'From docs/validation.json, written by `npm run validate:all` (per check its command, commit, machine, load and per-region tables in [docs/validation.md](docs/validation.md)).'].join('\n');
}

export function machine(): string {
  const cpu = cpus();
  const model = (cpu[0]?.model ?? 'unknown CPU').replace(/\s+/g, ' ').trim();
  return `${model}, ${cpu.length} cores, Node ${process.versions.node}, load average ${START_LOAD.toFixed(1)} at the start and ${loadavg()[0].toFixed(1)} at the end`;
}

/** The text of a README block. @throws when the markers are missing */
export function block(readme: string, name: string): string {
  const m = new RegExp(`<!-- readme:${name} -->\\n([\\s\\S]*?)\\n<!-- /readme:${name} -->`).exec(readme);
  if (!m) throw new Error(`README.md has no <!-- readme:${name} --> ... <!-- /readme:${name} --> block`);
  return m[1];
}

export function replaceBlock(readme: string, name: string, text: string): string {
  block(readme, name);
  return readme.replace(new RegExp(`(<!-- readme:${name} -->\\n)[\\s\\S]*?(\\n<!-- /readme:${name} -->)`), (_, a: string, b: string) => `${a}${text}${b}`);
}

function span(runs: readonly TimedReport[]): string {
  const walls = runs.map((r) => r.wallS);
  return `${Math.min(...walls).toFixed(1)}–${Math.max(...walls).toFixed(1)} s`;
}

async function main(): Promise<void> {
  const path = new URL('../README.md', import.meta.url);
  const log = (s: string) => process.stderr.write(`${s}\n`);
  log('what-ifs with the default parameters ...');
  const defaults = whatIfRuns();
  log('what-ifs with the calibrated parameters ...');
  const calibrated = whatIfRuns(CALIBRATED);
  const atomic = runLike({ arch: 'proposed1', dbMode: 'async', params: CALIBRATED, broadcastCheck: 'atomic' });
  const mechanisms = process.argv.includes('--mechanisms') ? STUDY_ARCHS.map((arch) => ({ arch, rows: mechanismRuns(arch, log) })) : null;
  const plans = process.argv.includes('--plans') ? PLANS.map((p) => { log(`sim plan ${p.flags.join(' ')} ...`); return { label: p.label, ...runPlan(p) }; }) : null;
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
  let readme = readFileSync(path, 'utf8'); // read after the runs: edits made meanwhile stay
  readme = replaceBlock(readme, 'what-if-defaults', whatIfTable(defaults.map((r) => r.report)));
  readme = replaceBlock(readme, 'what-if-calibrated', whatIfTable(calibrated.map((r) => r.report)));
  readme = replaceBlock(readme, 'what-if-timing',
    `(\`npx sim run --arch <a> --db-mode <m>\`; ${span(defaults)} of simulation each, plus about a second to start, measured by\n\`npm run readme\` on ${when} UTC on ${machine()}):`);
  readme = replaceBlock(readme, 'racy-check', racyParagraph(calibrated[2].report, atomic.report));
  if (plans) {
    readme = replaceBlock(readme, 'plan-table', `${planTable(plans)}\n\nWall times measured by \`npm run readme -- --plans\` on ${when} UTC on ${machine()}.`);
  }
  if (mechanisms) {
    const runs = mechanisms.flatMap((t) => t.rows.map((r) => r.run));
    const totalS = runs.reduce((a, r) => a + r.wallS, 0);
    readme = replaceBlock(readme, 'mechanisms', mechanismsBlock(mechanisms,
      `${runs.length} runs of ${span(runs)} each, ${wall(totalS)} in all, measured by \`npm run readme -- --mechanisms\` on ${when} UTC on ${machine()}.`));
  }
  const validation = new URL('../docs/validation.json', import.meta.url);
  if (existsSync(validation)) readme = replaceBlock(readme, 'validation', validationBlock(JSON.parse(readFileSync(validation, 'utf8')) as Results));
  writeFileSync(path, readme);
  log(`README.md updated (${span([...defaults, ...calibrated, atomic])} per run)`);
}

if (process.argv.includes('--write')) await main();
