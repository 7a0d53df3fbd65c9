import { formatDollarsPerHour } from './format.ts';
import type { Metric } from './metrics.ts';
import type { Source } from './sources.ts';

/** One source's place in the ranking, or why it has none. */
export interface RankEntry {
  source: Source;
  value: number | null;
  /** 1 = best; null when excluded */
  position: number | null;
  /** why the source is not ranked: over the cost ceiling, cost unknown, criterion unknown */
  excluded: string | null;
}

/**
 * Ranks sources by a metric (best first, in the metric's better direction; ties keep input
 * order). With a cost ceiling, sources costing more per hour, or whose cost is unknown, are
 * listed after the ranked ones with the reason, never silently dropped.
 */
export function rankSources(sources: readonly Source[], metric: Metric, costCeilingPerHour: number | null): RankEntry[] {
  const entries = sources.map((source): RankEntry => {
    const value = metric.get(source.report);
    const cost = source.report.cost?.totalHourly ?? null;
    let excluded: string | null = null;
    if (costCeilingPerHour !== null && cost === null) excluded = 'cost unknown';
    else if (costCeilingPerHour !== null && cost !== null && cost > costCeilingPerHour) excluded = `costs ${formatDollarsPerHour(cost)}, over the ${formatDollarsPerHour(costCeilingPerHour)} ceiling`;
    else if (value === null) excluded = `${metric.label} unknown`;
    return { source, value, position: null, excluded };
  });
  const sign = metric.better === 'lower' ? 1 : -1;
  const ranked = entries.filter((e) => e.excluded === null).sort((a, b) => sign * ((a.value as number) - (b.value as number)));
  ranked.forEach((e, i) => { e.position = i + 1; });
  return [...ranked, ...entries.filter((e) => e.excluded !== null)];
}
