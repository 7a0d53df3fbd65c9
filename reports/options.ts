import { invalid } from '../model/errors.ts';

/**
 * How far a prediction may be from the measurement and still count as right, as fractions of
 * the measured value. Defaults match calibration's acceptance: means 10%, medians 10%, 98th
 * percentiles 25%, counts 1%.
 */
export interface Tolerances {
  mean: number;
  median: number;
  p98: number;
  count: number;
}

export const DEFAULT_TOLERANCES: Readonly<Tolerances> = Object.freeze({ mean: 0.1, median: 0.1, p98: 0.25, count: 0.01 });

/** Everything `sim report` can be told besides the files. */
export interface ReportOptions {
  tolerances: Tolerances;
  /** ranking criterion, see rank.ts: `request.p98`, `cost`, `failed`, `meters.sec.avg`, ... */
  rank: string;
  /** sources costing more than this many $ per hour are not ranked; null: no ceiling */
  costCeilingPerHour: number | null;
  /**
   * A region "cannot keep up" when its median request latency is above this many ms. One
   * second is above any round trip on Earth (the measured worst, Sydney to Ireland, has a
   * median of 319 ms), so a median above it is queueing, not distance.
   */
  keepUpLimitMs: number;
}

export const DEFAULT_RANK = 'request.p98';
export const DEFAULT_KEEP_UP_LIMIT_MS = 1000;

/** Defaults for every option. */
export function defaultOptions(): ReportOptions {
  return { tolerances: { ...DEFAULT_TOLERANCES }, rank: DEFAULT_RANK, costCeilingPerHour: null, keepUpLimitMs: DEFAULT_KEEP_UP_LIMIT_MS };
}

/**
 * Parses a percentage given on the command line (`10`, `12.5`) into a fraction.
 * @throws UserError CONFIG_INVALID naming the flag
 */
export function parsePercent(flag: string, text: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v < 0) throw invalid(flag, text, 'must be a percentage >= 0');
  return v / 100;
}

/**
 * Parses a positive number given on the command line.
 * @throws UserError CONFIG_INVALID naming the flag
 */
export function parsePositive(flag: string, text: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v <= 0) throw invalid(flag, text, 'must be a number > 0');
  return v;
}
