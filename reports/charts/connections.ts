import { type Chart, type ChartContext, regionX, sourceColour, spec } from './style.ts';

/**
 * Connected users per region and source (count), and failed users as a share of the region's
 * users, so sources of different sizes compare and a handful of failures stays visible.
 */
export function connectionsChart(ctx: ChartContext): Chart {
  const data: { region: string; source: string; connected: number; failed: number; failedPct: number }[] = [];
  for (const region of ctx.regions) {
    for (const s of ctx.sources) {
      const r = s.report.regions[region.id];
      if (!r) continue;
      const total = r.connected + r.failed;
      data.push({ region: region.name, source: s.label, connected: r.connected, failed: r.failed, failedPct: total ? (100 * r.failed) / total : 0 });
    }
  }
  const totals = ctx.sources.map((s) => `${s.label}: ${s.report.global.connected.toLocaleString('en-US')} connected, ${s.report.global.failed.toLocaleString('en-US')} failed`);
  const width = Math.max(520, ctx.regions.length * Math.max(2, ctx.sources.length) * 12);
  const x = regionX(ctx, new Set(data.map((d) => d.region)));
  const xOffset = { field: 'source', sort: ctx.sources.map((s) => s.label) };
  const tooltip = [{ field: 'source' }, { field: 'region' }, { field: 'connected', format: ',' }, { field: 'failed', format: ',' }, { field: 'failedPct', title: '% failed', format: '.2f' }];
  const panel = (field: string, title: string, extra: Record<string, unknown>) => ({
    width, height: 130, mark: { type: 'bar' },
    encoding: {
      x: { ...x, axis: field === 'connected' ? { ...(x.axis as object), title: null, labels: false, ticks: false } : x.axis },
      xOffset, color: sourceColour(ctx.sources), tooltip,
      y: { field, type: 'quantitative', axis: { title, ...extra } },
    },
  });
  const body = {
    title: { text: 'Connected and failed users', subtitle: 'top: users connected per client region · bottom: users whose connection failed, % of the region' },
    vconcat: [panel('connected', 'connected users', { format: ',d', tickMinStep: 1 }), panel('failedPct', '% failed', { format: '~r' })],
    spacing: 8,
  };
  return {
    name: 'connections',
    title: 'Connected and failed users',
    caption: `Users who connected, and the share whose connection failed, per region. Totals: ${totals.join('; ')}.`,
    spec: spec(body, data),
  };
}
