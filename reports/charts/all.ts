import { METERS } from '../meter-inputs.ts';
import { LATENCY_KINDS } from '../metrics.ts';
import { connectionsChart } from './connections.ts';
import { latencyChart } from './latency.ts';
import { meterChart } from './meters.ts';
import { percentileChart } from './percentiles.ts';
import { costChart, networkChart, resourcesChart } from './resources.ts';
import type { Chart, ChartContext } from './style.ts';

/** Every chart of the report, in page order. */
export function allCharts(ctx: ChartContext): Chart[] {
  return [
    ...LATENCY_KINDS.map((k) => latencyChart(ctx, k)),
    ...LATENCY_KINDS.map((k) => percentileChart(ctx, k)),
    connectionsChart(ctx),
    ...METERS.map((m) => meterChart(ctx, m)),
    resourcesChart(ctx),
    networkChart(ctx),
    costChart(ctx),
  ];
}
