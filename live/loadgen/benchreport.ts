import type { Summary } from '../../model/report.ts';
import { summaryOf } from './hdr.ts';
import { regionHistograms, type LoadgenResult } from './loadgen.ts';

/** One client's figures in the shape WebSocket-bench printed them. */
export interface BenchFigures {
  timeTakenMs: number;
  connected: number;
  disconnected: number;
  failed: number;
  handshake: Summary;
  request: Summary;
  broadcast: Summary;
}

const num = (x: number | null, w: number) => (x === null ? '' : String(Math.round(x))).padStart(w);

/**
 * Formats figures as a WebSocket-bench report (the thesis's client report format, without ANSI
 * colours), so the thesis importer and a reader's eye can take them as they are. The percentile
 * header prints `98%` twice, the second being the 99th, as the original did.
 */
export function formatBenchReport(f: BenchFigures, title?: string): string {
  const rows: [string, Summary][] = [['Handshaking', f.handshake], ['Latency', f.request], ['Broadcast Latency', f.broadcast]];
  const lines = [
    ...(title ? [title, ''] : []),
    `Online               ${Math.round(f.timeTakenMs)} milliseconds`,
    `Time taken           ${Math.round(f.timeTakenMs)} milliseconds`,
    `Connected            ${f.connected}`,
    `Disconnected         ${f.disconnected}`,
    `Failed               ${f.failed}`,
    `Collected from:      ${f.connected}`,
    '',
    'Durations (ms):',
    '',
    '                     min     mean     stddev  median     max sampleCount',
  ];
  for (const [name, s] of rows) {
    if (!s.count) continue;
    lines.push(`${name.padEnd(17)}${num(s.min, 7)}${num(s.mean, 8)}${num(s.stddev, 11)}${num(s.median, 8)}${num(s.max, 8)}${String(s.count).padStart(8)}`);
  }
  lines.push('', 'Percentile (ms):', '', '                      50%     66%     75%     80%     90%     95%     98%     98%    100%   ');
  for (const [name, s] of rows) {
    if (!s.count) continue;
    const ps = [s.p50, s.p66, s.p75, s.p80, s.p90, s.p95, s.p98, s.p99, s.max];
    lines.push(`${name.padEnd(17)}${ps.map((p) => num(p, 8)).join('')}    `);
  }
  return `${lines.join('\n')}\n`;
}

/** One WebSocket-bench style report per region of a load-generator result. */
export function formatLoadgenBench(res: LoadgenResult): string {
  return res.regions
    .map((r) => {
      const h = regionHistograms([r]);
      return formatBenchReport({ timeTakenMs: res.durationMs, connected: r.connected, disconnected: 0, failed: r.failed, handshake: summaryOf(h.handshake), request: summaryOf(h.request), broadcast: summaryOf(h.broadcast) }, `# ${r.region}`);
    })
    .join('\n');
}
