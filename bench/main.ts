import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CASES, type BenchCase, type CaseResult, type Target } from './cases.ts';
import { describeMachine, machine, type Machine } from './machine.ts';

/**
 * `npm run bench`: runs every case, each in its own child process so peak memory is per case,
 * and prints its figures, the command that reproduces it, the machine and PASS/MISS per target.
 * `npm run bench -- --case <name> [--json]`: runs one case in this process; with --json prints
 * exactly one JSON line.
 * Returns the exit code: 0 when the cases ran (whether or not targets were met), 2 on bad
 * arguments, 1 when a case crashed.
 */
export async function main(argv: string[]): Promise<number> {
  const args = argv.slice(2);
  let caseName: string | undefined;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--json') json = true;
    else if (a === '--case') caseName = args[++i];
    else if (a.startsWith('--case=')) caseName = a.slice('--case='.length);
    else if (a === '--help' || a === '-h') {
      process.stdout.write(usage());
      return 0;
    } else {
      process.stderr.write(`bench: unknown argument ${a} (expected --case <name>, --json)\n`);
      return 2;
    }
  }
  if (caseName !== undefined) {
    const c = CASES.find((x) => x.name === caseName);
    if (!c) {
      process.stderr.write(`bench: --case must be one of ${CASES.map((x) => x.name).join(', ')} (got ${caseName})\n`);
      return 2;
    }
    const m = machine();
    const result = await c.run();
    process.stdout.write(json ? `${JSON.stringify({ ...result, command: commandOf(c, true), machine: m })}\n` : format(c, result, m));
    return 0;
  }
  let code = 0;
  for (const c of CASES) {
    const line = await runChild(c.name);
    let result: CaseResult & { machine?: Machine };
    try {
      result = JSON.parse(line) as CaseResult & { machine?: Machine };
    } catch {
      code = 1;
      result = { case: c.name, available: false, reason: 'crashed (see the error above)', pass: false };
    }
    process.stdout.write(json ? `${JSON.stringify(result)}\n` : `${format(c, result, result.machine)}\n`);
  }
  return code;
}

function usage(): string {
  return [
    'usage: npm run bench [-- --case <name>] [--json]',
    '',
    'cases:',
    ...CASES.map((c) => `  ${c.name.padEnd(16)} ${c.title}`),
    '',
  ].join('\n');
}

function commandOf(c: BenchCase, json: boolean): string {
  return `npm run bench -- --case ${c.name}${json ? ' --json' : ''}`;
}

/** Runs one case in a fresh node process; resolves with its last stdout line. */
function runChild(name: string): Promise<string> {
  const bin = fileURLToPath(new URL('../bin/bench.js', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, '--case', name, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => { out += d; });
    child.on('error', reject);
    child.on('close', () => {
      const lines = out.trim().split('\n');
      resolve(lines[lines.length - 1] ?? '');
    });
  });
}

const LABELS: Record<string, (v: number) => string> = {
  requests: (v) => `requests ${int(v)}`,
  meanResponseS: (v) => `mean response ${v.toFixed(5)} s`,
  p99ResponseS: (v) => `p99 ${v.toFixed(4)} s`,
  perSecond: (v) => `${(v / 1e6).toFixed(2)} M requests/s`,
  perCpuSecond: (v) => `${(v / 1e6).toFixed(2)} M requests per CPU s`,
  users: (v) => `users ${int(v)}`,
  connected: (v) => `connected ${int(v)}`,
  failed: (v) => `failed ${int(v)}`,
  handledRequests: (v) => `handled requests ${int(v)}`,
  requestMeanMs: (v) => `request mean ${v.toFixed(1)} ms`,
  requestP99Ms: (v) => `p99 ${v.toFixed(1)} ms`,
  simulatedS: (v) => `simulated ${int(v)} s`,
  wallS: (v) => `wall ${v.toFixed(2)} s`,
  cpuS: (v) => `CPU ${v.toFixed(2)} s`,
  events: (v) => `events ${int(v)}`,
  eventsPerS: (v) => `${(v / 1e6).toFixed(2)} M events/s`,
  peakRssBytes: (v) => `peak RSS ${(v / 2 ** 20).toFixed(0)} MiB`,
  bytesPerUser: (v) => `${int(v)} bytes/user`,
  heap1e4EventsPerCpuS: (v) => `10^4 pending: one heap ${(v / 1e6).toFixed(2)} M`,
  default1e4EventsPerCpuS: (v) => `default ${(v / 1e6).toFixed(2)} M events per CPU s`,
  heap1e6EventsPerCpuS: (v) => `10^6 pending: one heap ${(v / 1e6).toFixed(2)} M`,
  default1e6EventsPerCpuS: (v) => `default ${(v / 1e6).toFixed(2)} M events per CPU s`,
  sequentialS: (v) => `one thread ${v.toFixed(2)} s`,
  sequentialCpuS: (v) => `one thread CPU ${v.toFixed(2)} s`,
  ratioMin: (v) => `ratio from ${v.toFixed(3)}`,
  ratioMax: (v) => `to ${v.toFixed(3)}`,
  otherCpuDuringSequentialS: (v) => `other processes' CPU: ${v.toFixed(2)} s during one thread`,
  otherCpuDuringSweepS: (v) => `${v.toFixed(2)} s during the sweep`,
  messagesPerCoreSecond: (v) => `${int(v)} messages per core-second`,
  cpuUsPerMessage: (v) => `${v.toFixed(1)} µs CPU per message`,
  messagesPerSecond: (v) => `${int(v)} messages/s`,
  lagP99Ms: (v) => `own loop lag p99 ${v.toFixed(2)} ms`,
  lagMaxMs: (v) => `max ${v.toFixed(1)} ms`,
  chunksPerCoreSecond: (v) => `${int(v)} chunks per core-second`,
  addedDelayErrorP50Ms: (v) => `added-delay error p50 ${v.toFixed(3)} ms`,
  addedDelayErrorP99Ms: (v) => `p99 ${v.toFixed(3)} ms`,
  latenessMeanMs: (v) => `lateness mean ${v.toFixed(3)} ms`,
  outOfOrder: (v) => `${int(v)} out of order`,
  blockingHandledPerCoreSecond: (v) => `blocking: ${int(v)} handled`,
  blockingPushedPerCoreSecond: (v) => `${int(v)} pushed per core-second`,
  blockingHandledPerSecond: (v) => `(${int(v)} handled`,
  blockingPushedPerSecond: (v) => `${int(v)} pushed per s)`,
  batchedHandledPerCoreSecond: (v) => `batched: ${int(v)} handled`,
  batchedPushedPerCoreSecond: (v) => `${int(v)} pushed per core-second`,
  batchedHandledPerSecond: (v) => `(${int(v)} handled`,
  batchedPushedPerSecond: (v) => `${int(v)} pushed per s)`,
};

/** The human block for one case. */
export function format(c: BenchCase, r: CaseResult, m?: Machine): string {
  const lines = [`${c.name} — ${c.title}`, `  command: ${commandOf(c, false)}`];
  if (c.simCommand) lines.push(`  same run: ${c.simCommand}`);
  if (m) lines.push(`  machine: ${describeMachine(m)}`);
  if (m && m.load1 > m.cores) {
    lines.push(`  note: load ${m.load1.toFixed(1)} on ${m.cores} cores when the case started: wall figures include waiting for a CPU; CPU seconds do not`);
  }
  if (!r.available) {
    lines.push(`  ${r.reason ?? 'not available'}`);
    return `${lines.join('\n')}\n`;
  }
  const figures = Object.entries(LABELS)
    .filter(([k]) => typeof r[k] === 'number')
    .map(([k, f]) => f(r[k] as number));
  for (let i = 0; i < figures.length; i += 4) lines.push(`  ${figures.slice(i, i + 4).join(' · ')}`);
  if (r.sameModel === false) lines.push('  MODEL CHECK FAILED: requests or mean response off the published figures by more than 0.5 %');
  for (const t of r.targets ?? []) lines.push(`  ${t.pass ? 'PASS' : 'MISS'} ${describeTarget(t)}`);
  return `${lines.join('\n')}\n`;
}

function describeTarget(t: Target): string {
  const shown = (v: number | null) => (v === null ? 'n/a' : t.unit === 'bytes' ? `${(v / 1e9).toFixed(2)} GB` : t.unit === 's' ? `${v.toFixed(2)} s` : t.unit === '×' ? `${v.toFixed(3)}×` : t.unit === 'ms' ? `${v.toFixed(2)} ms` : `${int(v)} ${t.unit}`);
  return `${t.what} ${t.kind === 'min' ? '>=' : '<='} ${shown(t.limit)}: ${shown(t.value)}`;
}

function int(v: number): string {
  return Math.round(v).toLocaleString('en-US');
}
