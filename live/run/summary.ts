import { findRegion } from '../../model/regions.ts';
import type { Report, Summary } from '../../model/report.ts';
import { formatBenchReport } from '../loadgen/benchreport.ts';

const f = (x: number | null | undefined, d = 0) => (x === null || x === undefined ? '-' : x.toFixed(d));
const cell = (s: Summary) => `${f(s.mean).padStart(8)} ${f(s.p50).padStart(7)} ${f(s.p99).padStart(8)} ${f(s.max).padStart(8)}`;

/** A short human table of a live Report: latencies per region, load, integrity, warnings. */
export function formatLiveSummary(r: Report): string {
  const live = (r.extra?.live ?? {}) as Record<string, unknown>;
  const lines = [
    `live run: ${r.arch}, ${r.users} users, ${r.durationS} s, db mode ${String(r.params?.dbMode)}, window check ${String(r.params?.windowCheck)}, time scale ${String(r.params?.timeScale)}`,
    '',
    `${'region'.padEnd(16)} conn fail | handshake mean  p50     p99      max | request mean    p50     p99      max | broadcast mean  p50     p99      max`,
  ];
  const row = (name: string, x: Report['global']) => `${name.padEnd(16)} ${String(x.connected).padStart(4)} ${String(x.failed).padStart(4)} |      ${cell(x.handshake)} |    ${cell(x.request)} |      ${cell(x.broadcast)}`;
  for (const [id, x] of Object.entries(r.regions)) lines.push(row(findRegion(id)?.name ?? id, x));
  lines.push(row('global', r.global), '');
  const c = r.counts;
  lines.push(`load: ${c.handledRequests} handled requests, ${c.broadcasts} broadcast messages, Redis ${c.redisHits} hits / ${c.redisMisses} misses, MySQL ${c.mysqlQueries} queries`);
  const integ = live.integrity as Record<string, unknown> | undefined;
  if (integ) lines.push(`predictions: ${integ.confirmed} confirmed, ${integ.stored} stored, ${integ.counted ?? '-'} counted in the pool totals, ${integ.missing} missing, ${integ.storedUnconfirmed} stored unconfirmed (${integ.storedAbandoned ?? 0} of them abandoned), ${integ.abandoned} abandoned (${integ.exact ? 'exact' : integ.quiesced === false ? 'NOT exact: read while the servers were still at work' : 'NOT exact'})`);
  const lg = live.loadgen as { messagesPerSecond?: number; loopLagP99MaxMs?: number } | undefined;
  if (lg) lines.push(`load generator: ${f(lg.messagesPerSecond)} messages/s, own event-loop lag p99 max ${f(lg.loopLagP99MaxMs, 1)} ms`);
  if (r.meters?.spm) lines.push(`meters: SPM ${f(r.meters.spm.avg, 1)} avg, CRUM ${f(r.meters.crum?.avg, 1)} avg, SLM ${r.meters.slm ?? '-'}; cost ${f(r.cost?.totalHourly, 4)} $/h`);
  return `${lines.join('\n')}\n`;
}

/** One WebSocket-bench style report per region of a live Report. */
export function formatLiveBench(r: Report): string {
  return Object.entries(r.regions)
    .map(([id, x]) => formatBenchReport({ timeTakenMs: r.durationS * 1000, connected: x.connected, disconnected: 0, failed: x.failed, handshake: x.handshake, request: x.request, broadcast: x.broadcast }, `# ${id}`))
    .join('\n');
}
