/**
 * The baseline server's trace of Redis background saves (docs/model.md "Redis background
 * saves"), printed from the measured files so that no figure of it is typed by hand:
 *
 * - disk and memory spikes: a minute whose disk used stands above both its neighbours (a
 *   temporary RDB file that exists for a while, then is renamed over dump.rdb) and the memory
 *   used in the same minute above its neighbours (the forked child's copy-on-write pages);
 * - the RDB bytes per stored prediction those spikes imply: a CloudWatch sample catches the
 *   temporary file part-written, so each spike is a lower bound of the file, and the largest
 *   spike / predictions-stored-by-then is the prior of `redisSaveBytesPerPrediction`;
 * - the CPU's odd/even-minute alternation (a job of period close to two minutes seen through
 *   one-minute samples), per ten-minute block: its signed amplitude in % of the group's cores.
 *
 * Predictions stored by a minute: the run's predictions (handled requests − the three
 * non-prediction requests of each connected user, from the client reports) spread evenly over
 * the load after the ramp, from the run's first minute (`--from`, the window of the calibration
 * commands in docs/calibration.md) + the 200 s ramp.
 *
 *     npx tsx scripts/redis-save-evidence.ts [run dir] [--from "2015-07-31 15:36:00"] [--to "2015-07-31 17:09:00"]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatMinute, parseCloudWatchCsv, parseWindowTime, type CwSeries } from '../calibrate/import/cloudwatch.ts';
import { importRun } from '../calibrate/import/run.ts';
import { THESIS_SCENARIO } from '../model/workload.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const dir = args[0] !== undefined && !args[0].startsWith('--') ? args[0] : 'data/thesis-2015/baseline';
const from = parseWindowTime('--from', flag('--from', '2015-07-31 15:36:00'));
const to = parseWindowTime('--to', flag('--to', '2015-07-31 17:09:00'));
const servers = join(dir, 'servers', 'eu-west-1');

function series(path: string, metric: string): CwSeries {
  return parseCloudWatchCsv(readFileSync(path, 'utf8'), metric, path);
}
const host = readdirHost(servers);
const disk = series(join(servers, host, 'DiskSpaceUsed.csv'), 'DiskSpaceUsed').values;
const mem = series(join(servers, host, 'MemoryUsed.csv'), 'MemoryUsed').values;
const cpu = series(join(servers, 'autoscale_group', 'CPUUtilization.csv'), 'CPUUtilization').values;

/** the one per-host folder beside autoscale_group */
function readdirHost(d: string): string {
  const hosts = readdirSync(d).filter((n) => n !== 'autoscale_group');
  if (hosts.length !== 1) throw new Error(`expected one host folder in ${d}, got ${hosts.join(', ')}`);
  return hosts[0];
}

const run = importRun(dir);
const handled = run.counts.handledRequests ?? 0;
const predictions = handled - 3 * run.global.connected;
const rampS = THESIS_SCENARIO.users / THESIS_SCENARIO.rampPerS;
const loadS = run.durationS - rampS;
const perS = predictions / loadS;
/** predictions stored by the middle of minute m (minutes since the epoch) */
const storedBy = (m: number): number => Math.max(0, Math.min(predictions, perS * ((m - from + 0.5) * 60 - rampS)));

const GB = 2 ** 30;
/** smallest spike counted, GB: above the 0.04 GB steps of the used disk, which a minute's rounding can show as a bump */
const MIN_SPIKE_GB = 0.05;
const MB = 2 ** 20;
const fmt = (x: number, d = 2): string => x.toFixed(d);
console.log(`run: ${handled} handled requests, ${run.global.connected} connected: ${predictions} predictions over ${fmt(loadS, 0)} s of load after a ${rampS} s ramp (${fmt(perS, 0)} per s), from ${formatMinute(from)} UTC`);
console.log('');
console.log('disk and memory spikes (a minute above both neighbours; size = the minute minus the mean of its neighbours)');
console.log('minute (UTC)          min into run  disk spike GB  memory spike GB  predictions stored  RDB bytes per prediction');
let best = 0;
let spikes = 0;
const perBlock = new Map<number, number>();
for (let m = from; m <= to; m++) {
  const [a, b, c] = [disk.get(m - 1), disk.get(m), disk.get(m + 1)];
  if (a === undefined || b === undefined || c === undefined) continue;
  const spike = b - (a + c) / 2;
  if (!(b > a && b > c) || spike < MIN_SPIKE_GB * GB) continue;
  const [ma, mb, mc] = [mem.get(m - 1), mem.get(m), mem.get(m + 1)];
  const memSpike = ma !== undefined && mb !== undefined && mc !== undefined ? mb - (ma + mc) / 2 : NaN;
  const stored = storedBy(m);
  const perPrediction = stored > 0 ? spike / stored : NaN;
  if (perPrediction > best) best = perPrediction;
  spikes++;
  const block = Math.floor((m - from) / 10);
  perBlock.set(block, (perBlock.get(block) ?? 0) + 1);
  console.log(`${formatMinute(m)}  ${String(m - from).padStart(12)}  ${fmt(spike / GB).padStart(13)}  ${fmt(memSpike / GB).padStart(15)}  ${String(Math.round(stored)).padStart(18)}  ${fmt(perPrediction, 0).padStart(24)}`);
}
console.log(`${spikes} spikes; the largest RDB bytes per stored prediction: ${fmt(best, 0)} (each spike is a lower bound of its file)`);
console.log('');
console.log('Per ten-minute block: the CPU\'s odd/even alternation, mean of (-1)^minute × (cpu − mean of its neighbours) / 2 in % of the');
console.log('group\'s cores; the share s of its minutes with a disk spike; the save length it implies, D = 60 s × s / (1 − s) (a one-minute');
console.log('sample sees a save of D seconds in a cycle of 60 s + D with probability D / (60 + D)); the RDB then (largest bytes per prediction');
console.log('× predictions stored by the block\'s middle) and the write rate RDB / D');
console.log('block (UTC)            amplitude %   spikes   save s   RDB MiB   MiB/s');
let pooledMiB = 0;
let pooledS = 0;
for (let start = from; start + 10 <= to + 1; start += 10) {
  let sum = 0;
  let n = 0;
  for (let m = start; m < start + 10; m++) {
    const [a, b, c] = [cpu.get(m - 1), cpu.get(m), cpu.get(m + 1)];
    if (a === undefined || b === undefined || c === undefined || m - 1 < from || m + 1 > to) continue;
    sum += (m % 2 === 0 ? 1 : -1) * (b - (a + c) / 2) / 2;
    n++;
  }
  const k = perBlock.get(Math.floor((start - from) / 10)) ?? 0;
  const share = k / 10;
  const saveS = share < 1 ? 60 * share / (1 - share) : Infinity;
  const rdbMiB = best * storedBy(start + 5) / MB;
  // blocks where the save is seen in most cycles (3 or more spikes) set the pooled rate
  if (k >= 3) { pooledMiB += rdbMiB; pooledS += saveS; }
  console.log(`${formatMinute(start)}  ${(n > 0 ? fmt(sum / n) : '-').padStart(11)}   ${String(k).padStart(6)}   ${fmt(saveS, 1).padStart(6)}   ${fmt(rdbMiB, 0).padStart(7)}   ${(k > 0 ? fmt(rdbMiB / saveS, 1) : '-').padStart(5)}`);
}
console.log(`pooled over the blocks with 3 or more spikes: ${fmt(pooledMiB / pooledS, 1)} MiB/s`);
console.log('');
console.log(`(sizes in GB of 2^30 bytes and MB of 2^20 bytes, as the CloudWatch scripts report them; 1 MB = ${MB} bytes)`);
