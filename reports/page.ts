import type { Chart } from './charts/style.ts';
import { formatCount } from './format.ts';
import { METERS } from './meter-inputs.ts';
import { inlineJson, inlineScript } from './scripts.ts';
import { compareTable, esc, meterInputsTable, rankTable, swatch } from './tables.ts';
import type { ReportView } from './view.ts';

/**
 * The self-contained HTML page: data, chart specs and the vega / vega-lite / vega-embed bundles
 * inline, so it opens from disk with no network. Each chart sits in a `.chart` container with
 * `data-chart="<name>"`; when all are drawn the body gets `data-rendered="<count>"`, and on a
 * failure `data-render-error` (the browser test reads both).
 */
export function renderPage(view: ReportView, bundles: readonly { name: string; source: string }[]): string {
  const byName = new Map(view.charts.map((c) => [c.name, c]));
  const pick = (prefix: string) => view.charts.filter((c) => c.name.startsWith(prefix));
  const title = `Comparison: ${view.sources.map((s) => s.label).join(' · ')}`;
  const specs = Object.fromEntries(view.charts.map((c) => [c.name, c.spec]));
  const { tolerances } = view.options;

  const sourcesList = view.sources.map((s) => {
    const r = s.report;
    const notes = (r.notes ?? []).map((n) => `<li>${esc(n)}</li>`).join('');
    return `<li>${swatch(s)} — <code>${esc(s.file)}</code>: ${esc(r.kind)}, ${esc(r.arch)}, ${formatCount(r.users)} users, ` +
      `${formatCount(r.durationS)} s${r.seed !== null ? `, seed ${r.seed}` : ''}${notes ? `<ul class="notes">${notes}</ul>` : ''}</li>`;
  }).join('\n');
  const headlines = view.headlines.map((h, i) => `<li class="headline" style="border-color:${esc(view.sources[i].colour)}">${esc(h)}</li>`).join('\n');

  const meterBlocks = METERS.map((m) => {
    const chart = byName.get(`meter-${m.key}`) as Chart;
    return `<div class="meter-row">${figure(chart)}<div class="meter-table"><h4>Raw inputs</h4>${meterInputsTable(m, view.sources)}</div></div>`;
  }).join('\n');

  const regionTables = view.regionRows.map(({ region, rows }) =>
    `<details><summary>${esc(region.name)} <span class="unit">${esc(region.id)}${region.miles !== null ? `, ${formatCount(Math.round(region.miles))} miles` : ''}</span></summary>${compareTable(rows, view.sources, tolerances)}</details>`).join('\n');

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head><body>
<header><h1>Architecture comparison</h1><p class="sub">${view.sources.length} report${view.sources.length > 1 ? 's' : ''}; regions sorted by distance from ${esc(view.regions.find((r) => r.id === view.referenceRegion)?.name ?? view.referenceRegion)}.</p></header>
<section id="headlines"><h2>In one line each</h2><ul class="headlines">${headlines}</ul></section>
<section id="ranking"><h2>Ranking</h2>${rankTable(view.ranking, view.rankMetric, view.options.costCeilingPerHour)}</section>
<section id="latency"><h2>Latency per region</h2>${pick('latency-').map(figure).join('\n')}</section>
<section id="percentiles"><h2>Percentile curves</h2>${pick('percentiles-').map(figure).join('\n')}</section>
<section id="users"><h2>Connected and failed users</h2>${figure(byName.get('connections') as Chart)}</section>
<section id="meters"><h2>Scalability meters</h2><p class="note">Each meter is the area of a polygon whose radii are its inputs (Pattabhiraman et al. 2011). Meters are sensitive to single inputs, so the raw inputs stand beside each.</p>${meterBlocks}</section>
<section id="resources"><h2>Resources and cost</h2>${['resources', 'network', 'cost'].map((n) => figure(byName.get(n) as Chart)).join('\n')}</section>
<section id="side-by-side"><h2>Side by side</h2>
<p class="note">Error = (predicted − measured) ÷ measured, for a prediction against the measurement of the same architecture and user count.
<span class="err within">within tolerance</span> <span class="err outside">outside tolerance</span> <span class="err neutral">no tolerance set</span>.
Tolerances: means ±${tolerances.mean * 100}%, medians ±${tolerances.median * 100}%, 98th percentiles ±${tolerances.p98 * 100}%, counts ±${tolerances.count * 100}%.</p>
${compareTable(view.globalRows, view.sources, tolerances)}
<h3>Per region</h3>${regionTables}</section>
<section id="sources"><h2>Sources</h2><ul class="sources">${sourcesList}</ul></section>
${bundles.map((b) => `<script data-bundle="${esc(b.name)}">${inlineScript(b.source)}</script>`).join('\n')}
<script>
const SPECS = ${inlineJson(specs)};
(async () => {
  const names = Object.keys(SPECS);
  const results = await Promise.allSettled(names.map((name) =>
    vegaEmbed(document.querySelector('[data-chart="' + name + '"] .vega'), SPECS[name], { renderer: 'svg', actions: false })));
  const failed = results.map((r, i) => (r.status === 'rejected' ? names[i] + ': ' + r.reason : null)).filter(Boolean);
  for (const f of failed) console.error('chart failed to render: ' + f);
  if (failed.length) document.body.dataset.renderError = failed.join('; ');
  document.body.dataset.rendered = String(results.length - failed.length);
})();
</script>
</body></html>
`;
}

function figure(chart: Chart): string {
  return `<figure class="chart" data-chart="${esc(chart.name)}" id="chart-${esc(chart.name)}"><figcaption>${esc(chart.caption)}</figcaption><div class="vega"></div></figure>`;
}

const CSS = `
body{font-family:"DejaVu Sans",Verdana,Arial,sans-serif;margin:0 auto;max-width:1400px;padding:16px 24px;color:#222;line-height:1.4}
h1{margin:0 0 4px}h2{margin-top:36px;border-bottom:2px solid #eee;padding-bottom:4px}
.sub,.note{color:#555;font-size:14px}
.swatch{display:inline-block;width:12px;height:12px;margin-right:6px;border-radius:2px;vertical-align:-1px}
.headlines{list-style:none;padding:0}.headline{border-left:6px solid;padding:6px 10px;margin:6px 0;background:#fafafa}
figure.chart{margin:18px 0}.vega{overflow-x:auto;max-width:100%}figcaption{font-size:13px;color:#444;margin-bottom:6px;max-width:900px}
.meter-row{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}.meter-row figure.chart{flex:0 0 auto;max-width:600px}.meter-table{flex:1;min-width:480px;padding-top:40px}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:13px;margin:8px 0}th,td{border:1px solid #e2e2e2;padding:3px 8px;text-align:left;vertical-align:top}
thead th{background:#f4f4f4;position:sticky;top:0}tbody th{font-weight:normal;white-space:nowrap}
td.reported{font-weight:bold;background:#fafafa}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.kind{font-size:11px;color:#666;font-weight:normal}.ci{font-size:10px;color:#777}.unit,.tol{font-size:11px;color:#777}
.err{text-align:right;white-space:nowrap;font-size:12px}.err.within{background:#d9f2d9;color:#14532d}
.err.outside{background:#f8d0cc;color:#7f1d1d}.err.neutral{background:#f0f0f0;color:#555}.err.none{color:#aaa}
span.err{padding:1px 6px;border-radius:3px;margin:0 2px}
tr.excluded{color:#888}
details{margin:4px 0}summary{cursor:pointer;font-weight:bold}ul.notes{font-size:12px;color:#666}
`;
