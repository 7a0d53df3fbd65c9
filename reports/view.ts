import { allCharts } from './charts/all.ts';
import type { Chart, ChartContext } from './charts/style.ts';
import { type CompareRow, compareRows } from './compare.ts';
import { headline } from './headline.ts';
import type { LoadedReport } from './load.ts';
import { type Metric, globalMetrics, metricByKey, regionMetrics } from './metrics.ts';
import type { ReportOptions } from './options.ts';
import { type RankEntry, rankSources } from './rank.ts';
import { orderRegions, referenceRegion, type RegionView } from './region-order.ts';
import { type Source, toSources } from './sources.ts';

/**
 * Everything the page and the Markdown summary show, computed once from the Reports (no I/O):
 * sources with colours, regions in distance order, charts, headlines, tables and the ranking.
 */
export interface ReportView {
  sources: Source[];
  regions: RegionView[];
  referenceRegion: string;
  charts: Chart[];
  headlines: string[];
  globalRows: CompareRow[];
  regionRows: { region: RegionView; rows: CompareRow[] }[];
  rankMetric: Metric;
  ranking: RankEntry[];
  options: ReportOptions;
}

/**
 * Builds the view of one or more loaded Reports.
 * @throws UserError CONFIG_INVALID when the ranking criterion names no metric
 */
export function buildView(loaded: readonly LoadedReport[], options: ReportOptions): ReportView {
  const rankMetric = metricByKey(options.rank);
  const sources = toSources(loaded);
  const reference = referenceRegion(sources);
  const regions = orderRegions(sources, reference);
  const ctx: ChartContext = { sources, regions, referenceRegion: reference };
  return {
    sources, regions, referenceRegion: reference,
    charts: allCharts(ctx),
    headlines: sources.map((s) => headline(s, regions, options)),
    globalRows: compareRows(globalMetrics(), sources, options.tolerances),
    regionRows: regions.map((region) => ({ region, rows: compareRows(regionMetrics(region.id), sources, options.tolerances) })),
    rankMetric,
    ranking: rankSources(sources, rankMetric, options.costCeilingPerHour),
    options,
  };
}
