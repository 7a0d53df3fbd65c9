/** Number formatting for tables, headlines and Markdown: one way everywhere on the page. */

const MS_PER_S = 1000;
const MS_PER_MIN = 60_000;
const MS_PER_H = 3_600_000;

function sig(x: number, digits = 3): string {
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs >= 10 ** digits) return Math.round(x).toLocaleString('en-US');
  return Number(x.toPrecision(digits)).toLocaleString('en-US', { maximumFractionDigits: 6 });
}

/** A latency for a person: `7 ms`, `1.5 s`, `4.2 min`, `1.3 h`; `—` for null. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (Math.abs(ms) < MS_PER_S) return `${sig(ms)} ms`;
  if (Math.abs(ms) < MS_PER_MIN) return `${sig(ms / MS_PER_S)} s`;
  if (Math.abs(ms) < MS_PER_H) return `${sig(ms / MS_PER_MIN, 2)} min`;
  return `${sig(ms / MS_PER_H, 2)} h`;
}

/** `8,449,173`; `—` for null. */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return Number.isInteger(n) ? n.toLocaleString('en-US') : sig(n, 4);
}

/** A plain number to 3–4 significant digits: `2,251.9`, `0.0123`; `—` for null. */
export function formatNumber(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return sig(n, 4);
}

/** A fraction as a signed percentage: `+12.3%`, `-4%`; `—` for null. */
export function formatSignedPct(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '—';
  const pct = fraction * 100;
  const s = Math.abs(pct) >= 1000 ? Math.round(pct).toLocaleString('en-US') : sig(pct, 3);
  return `${pct > 0 ? '+' : ''}${s}%`;
}

/** Dollars per hour: `$2.45/h`; `—` for null. */
export function formatDollarsPerHour(d: number | null | undefined): string {
  if (d === null || d === undefined || !Number.isFinite(d)) return '—';
  return `$${d < 10 ? d.toFixed(2) : sig(d, 4)}/h`;
}

/** Bytes as MB or GB: `2.91 GB`; `—` for null. */
export function formatBytes(b: number | null | undefined): string {
  if (b === null || b === undefined || !Number.isFinite(b)) return '—';
  if (b >= 1e9) return `${sig(b / 1e9)} GB`;
  if (b >= 1e6) return `${sig(b / 1e6)} MB`;
  if (b >= 1e3) return `${sig(b / 1e3)} kB`;
  return `${sig(b)} B`;
}
