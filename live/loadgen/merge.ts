import { readFileSync } from 'node:fs';
import { UserError, invalid } from '../../model/errors.ts';
import { decodeHistogram, encodeHistogram, mergeHistograms } from './hdr.ts';
import { LOADGEN_LAG_LIMIT_MS, type GeneratorHealth, type LoadgenRegionResult, type LoadgenResult } from './loadgen.ts';

/**
 * Several load generators' raw results (one per process or machine) merged into one, exactly:
 * counts add up, latency histograms are merged bucket by bucket (HdrHistogram), request series
 * add up per bucket, and every generator's own health is kept.
 */
export function mergeLoadgenResults(results: readonly LoadgenResult[]): LoadgenResult {
  if (!results.length) throw new RangeError('results must not be empty');
  if (results.length === 1) return results[0];
  const byRegion = new Map<string, LoadgenRegionResult[]>();
  for (const r of results) for (const x of r.regions) byRegion.set(x.region, [...(byRegion.get(x.region) ?? []), x]);
  const regions: LoadgenRegionResult[] = [...byRegion.values()].map(mergeRegion);
  const generators: GeneratorHealth[] = results.flatMap((r) => r.generators ?? [healthOf(r)]);
  // the run's lag per second is the worst generator's in that second
  const seconds = Math.max(...results.map((r) => r.loopLagP99Ms.length));
  const loopLagP99Ms = Array.from({ length: seconds }, (_, i) => Math.max(0, ...results.map((r) => r.loopLagP99Ms[i] ?? 0)));
  const ids = (k: 'confirmedIds' | 'abandonedIds') => (results.every((r) => r[k]) ? { [k]: results.flatMap((r) => r[k]!) } : {});
  return {
    startedAtMs: Math.min(...results.map((r) => r.startedAtMs)),
    durationMs: Math.max(...results.map((r) => r.durationMs)),
    timeScale: results[0].timeScale,
    regions,
    loopLagP99Ms,
    loopLagMaxMs: Math.max(...results.map((r) => r.loopLagMaxMs)),
    messagesPerSecond: results.reduce((s, r) => s + r.messagesPerSecond, 0),
    warnings: results.flatMap((r, i) => r.warnings.map((w) => `generator ${i + 1}: ${w}`)),
    generators,
    ...ids('confirmedIds'),
    ...ids('abandonedIds'),
  };
}

/** The health figures of one generator's result. */
export function healthOf(r: LoadgenResult): GeneratorHealth {
  const over = r.loopLagP99Ms.filter((x) => x > LOADGEN_LAG_LIMIT_MS).length;
  return { loopLagP99Ms: r.loopLagP99Ms, loopLagMaxMs: r.loopLagMaxMs, messagesPerSecond: r.messagesPerSecond, secondsOverLimit: over };
}

function mergeRegion(rs: LoadgenRegionResult[]): LoadgenRegionResult {
  const sum = (k: 'users' | 'connected' | 'failed' | 'pending' | 'reconnects' | 'requests' | 'confirmed' | 'confirmedDuplicate' | 'abandoned' | 'broadcastsReceived') =>
    rs.reduce((s, r) => s + (r[k] ?? 0), 0);
  const hist = (k: 'handshake' | 'request' | 'requestRaw' | 'broadcast') => encodeHistogram(mergeHistograms(rs.map((r) => decodeHistogram(r[k]))));
  const errors: Record<string, number> = {};
  for (const r of rs) for (const [code, n] of Object.entries(r.errors)) errors[code] = (errors[code] ?? 0) + n;
  const cells = new Map<number, [number, number, number]>();
  for (const r of rs) {
    for (const [t, n, mean, max] of r.series) {
      const c = cells.get(t) ?? [0, 0, 0];
      c[0] += n;
      c[1] += n * mean;
      c[2] = Math.max(c[2], max);
      cells.set(t, c);
    }
  }
  return {
    region: rs[0].region, users: sum('users'), connected: sum('connected'), failed: sum('failed'), pending: sum('pending'), reconnects: sum('reconnects'),
    requests: sum('requests'), confirmed: sum('confirmed'), confirmedDuplicate: sum('confirmedDuplicate'), abandoned: sum('abandoned'),
    broadcastsReceived: sum('broadcastsReceived'), errors,
    handshake: hist('handshake'), request: hist('request'), requestRaw: hist('requestRaw'), broadcast: hist('broadcast'),
    series: [...cells.entries()].sort((a, b) => a[0] - b[0]).map(([t, [n, s, max]]) => [t, n, s / n, max]),
  };
}

/**
 * Reads the raw result a `sim live loadgen --out` wrote. Throws UserError naming the file and
 * the field for anything that is not such a result (every problem of the file, not the first).
 */
export function readLoadgenResult(path: string): LoadgenResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UserError('FILE_UNREADABLE', `${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw invalid(path, '(not JSON)', 'must be the JSON a `sim live loadgen --out` wrote');
  }
  const problems: string[] = [];
  const r = data as Partial<LoadgenResult>;
  if (!r || typeof r !== 'object') problems.push('the file must hold a JSON object');
  else {
    for (const k of ['startedAtMs', 'durationMs', 'timeScale', 'loopLagMaxMs', 'messagesPerSecond'] as const) if (typeof r[k] !== 'number') problems.push(`${k} must be a number`);
    if (!Array.isArray(r.loopLagP99Ms)) problems.push('loopLagP99Ms must be an array');
    if (!Array.isArray(r.warnings)) problems.push('warnings must be an array');
    if (!Array.isArray(r.regions)) problems.push('regions must be an array');
    else {
      r.regions.forEach((x, i) => {
        for (const k of ['users', 'connected', 'failed', 'requests', 'broadcastsReceived'] as const) if (typeof x?.[k] !== 'number') problems.push(`regions[${i}].${k} must be a number`);
        for (const k of ['handshake', 'request', 'requestRaw', 'broadcast'] as const) {
          try {
            decodeHistogram(x[k]);
          } catch {
            problems.push(`regions[${i}].${k} must be an encoded HDR histogram`);
          }
        }
        if (!Array.isArray(x?.series)) problems.push(`regions[${i}].series must be an array`);
      });
    }
  }
  if (problems.length) throw new UserError('CONFIG_INVALID', `${path}: ${problems.join('; ')}`);
  return r as LoadgenResult;
}
