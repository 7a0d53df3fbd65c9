import { errorFunction } from 'simple-statistics';
import { serverProcesses, type Architecture } from '../../model/architecture.ts';
import type { Report, Summary } from '../../model/report.ts';
import type { Scenario } from '../../model/workload.ts';
import type { MeasuredRun } from './measured.ts';
import { rampSecondsOf, workloadOf } from './workload.ts';

/**
 * The event-loop stalls a measured run's request tail implies (docs/calibration.md "What is
 * estimated directly"), as a start for the fit of `loopPause*` instead of the priors.
 *
 * A process stalls for D seconds (lognormal: median m, shape s) once per K seconds on average (K =
 * the mean gap + E[D]). A request arrives at a time independent of the stalls (Poisson arrivals
 * see time averages), so it lands in a stall with probability E[D] / K and then waits the rest of
 * it: P(wait > w) = E[(D − w)+] / K. Measured, that wait is a request's latency minus its region's
 * median (network and handler), at the 95th, 98th and 99th percentiles, where the stalls dominate
 * (the body of the distribution, up to the p90, is network and handler time). Three equations:
 * the two ratios of the tail fix m and s (K cancels), then K follows. Stalls are common to every
 * region (they happen on the server), so the excesses are pooled over the compared regions,
 * weighted by their request counts: any subset of regions (a split's half) gives the same answer
 * up to noise.
 *
 * The gap in messages: K − E[D] seconds at the process's message rate during the load (requests
 * per connected user and second × users ÷ processes). The onset: when the handshakes of the
 * connection ramp show no stall (their pooled p98 over the median is under half the median stall),
 * the stalls began after the ramp: the first comes after the messages a process handles during it
 * (each user's handshake and the requests of the workload's script up to the ramp's end).
 *
 * The queue that builds behind a stall and drains after it (at the loop's own pace, with its lock
 * waits) stretches what requests see beyond the stall itself: a request arriving t into a stall
 * of D waits D − t(1 − ρ), ρ the loop's load, so the tail is that of the stalls over 1 − ρ, and ρ
 * is what the fit is after. So the estimate is then corrected on the simulator's own reading
 * (`correctStalls`): the stalls it was given, read back from its tail like the measured ones, and
 * moved by the measured over simulated reading; kept only when the loss falls.
 */
export interface StallEstimate {
  loopPauseEveryMessages: number;
  loopPauseMedianMs: number;
  loopPauseSigma: number;
  loopPauseOnsetMessages: number;
  /** what was read: the pooled request excesses over the median (ms) at p95, p98, p99 and the handshake p98 excess */
  basis: { requestExcessMs: [number, number, number]; handshakeP98ExcessMs: number | null; messagesPerProcessS: number; meanCycleS: number };
}

/** Tail levels read, and the share of requests beyond each. */
const LEVELS = [
  { key: 'p95', beyond: 0.05 },
  { key: 'p98', beyond: 0.02 },
  { key: 'p99', beyond: 0.01 },
] as const;

/**
 * A tail is read as stalls only when it stands apart from the body: the p98's excess over the
 * median at least this many times the p90's (on the thesis baseline, Ireland: 2,183 against 37 ms).
 */
const DETACHED_TAIL_RATIO = 5;
/**
 * ... and only when the p98's excess passes a second: a lost segment costs a retransmission
 * timeout (Linux: at least 200 ms, doubling), so a tail of a few hundred ms may be the
 * network's own (a simulated run without stalls at the loss prior: p98 ~200 ms over the median).
 */
const MIN_STALL_TAIL_MS = 1000;

/** Standard normal CDF. */
function phi(x: number): number {
  return 0.5 * (1 + errorFunction(x / Math.SQRT2));
}

/** E[(D − w)+] for D lognormal with log-mean mu and log-sd s (w ≥ 0, seconds). */
export function expectedExcess(mu: number, s: number, w: number): number {
  const mean = Math.exp(mu + (s * s) / 2);
  if (w <= 0) return mean;
  const d1 = (mu + s * s - Math.log(w)) / s;
  return mean * phi(d1) - w * phi(d1 - s);
}

/**
 * The stall length distribution (median, shape) and mean cycle K (s) whose residual tail gives
 * P(wait > w_i) = beyond_i at the three excesses w (s); null when none fits (excesses not
 * increasing).
 */
export function fitStallTail(w: readonly [number, number, number]): { medianS: number; sigma: number; cycleS: number } | null {
  if (!(w[0] > 0 && w[1] > w[0] && w[2] > w[1])) return null;
  const target1 = Math.log(LEVELS[0].beyond / LEVELS[1].beyond);
  const target2 = Math.log(LEVELS[0].beyond / LEVELS[2].beyond);
  let best = { err: Infinity, mu: 0, s: 0 };
  // a grid fine enough for a start: median 10 ms .. 100 s (1 % steps), shape 0.05 .. 2.5
  for (let s = 0.05; s <= 2.5 + 1e-9; s += 0.01) {
    for (let lm = Math.log(0.01); lm <= Math.log(100); lm += 0.01) {
      const e0 = expectedExcess(lm, s, w[0]);
      const e1 = expectedExcess(lm, s, w[1]);
      const e2 = expectedExcess(lm, s, w[2]);
      if (!(e1 > 0 && e2 > 0)) continue;
      const r1 = Math.log(e0 / e1) - target1;
      const r2 = Math.log(e0 / e2) - target2;
      const err = r1 * r1 + r2 * r2;
      if (err < best.err) best = { err, mu: lm, s };
    }
  }
  if (!Number.isFinite(best.err)) return null;
  // K from each level, geometric mean
  const logK = LEVELS.reduce((a, l, i) => a + Math.log(expectedExcess(best.mu, best.s, w[i]) / l.beyond), 0) / LEVELS.length;
  return { medianS: Math.exp(best.mu), sigma: Math.round(best.s * 100) / 100, cycleS: Math.exp(logK) };
}

/** Reports and the regions of each read. */
type Sources = ReadonlyArray<{ report: Report; regions: readonly string[] }>;

/** Request-count-weighted mean over the compared regions of (stat − median), ms; null if none has both. */
function pooledExcess(runs: Sources, pick: (r: { request: Summary; handshake: Summary }) => Summary, key: 'p90' | 'p95' | 'p98' | 'p99'): number | null {
  let sum = 0;
  let n = 0;
  for (const run of runs) {
    for (const region of run.regions) {
      const r = run.report.regions[region];
      if (!r) continue;
      const s = pick(r);
      const v = s[key];
      if (s.count > 0 && v !== null && s.median !== null) {
        sum += (v - s.median) * s.count;
        n += s.count;
      }
    }
  }
  return n > 0 ? sum / n : null;
}

/**
 * Messages one user sends to its process during the connection ramp, on average over launch
 * times spread evenly over it: its handshake, list games at once, join and list pools after the
 * first think, then a prediction every mean think (latencies left out).
 */
export function rampMessagesPerUser(scenario: Scenario, rampS: number): number {
  const [f0, f1] = scenario.firstThinkS;
  const predictS = (scenario.predictThinkS[0] + scenario.predictThinkS[1]) / 2;
  const steps = 200;
  let sum = 0;
  for (let i = 0; i < steps; i++) {
    const left = rampS * (1 - (i + 0.5) / steps);
    for (let j = 0; j < 20; j++) {
      const first = f0 + ((j + 0.5) / 20) * (f1 - f0);
      sum += 2 + (left > first ? 2 + (left - first) / predictS : 0);
    }
  }
  return sum / (steps * 20);
}

/**
 * The stall estimate of a set of measured runs (their compared regions), or null with the reason
 * when their request tail does not read as stalls.
 */
/** The stalls a request tail reads as (pooled over the sources' regions), or null and why not. */
function readTail(sources: Sources): { fit: { medianS: number; sigma: number; cycleS: number } | null; w: [number, number, number]; reason: string } {
  const req = (r: { request: Summary }) => r.request;
  const p90 = pooledExcess(sources, req, 'p90');
  const w = LEVELS.map((l) => pooledExcess(sources, req, l.key));
  if (p90 === null || w.some((x) => x === null)) return { fit: null, w: [0, 0, 0], reason: 'no request percentiles to read' };
  const [w95, w98, w99] = w as [number, number, number];
  if (!(w98 >= DETACHED_TAIL_RATIO * Math.max(p90, 1) && w98 >= MIN_STALL_TAIL_MS)) {
    return { fit: null, w: [w95, w98, w99], reason: `the request p98 stands ${w98.toFixed(0)} ms above the median, the p90 ${p90.toFixed(0)} ms: no tail apart from the body and beyond retransmissions (${DETACHED_TAIL_RATIO}× the p90 and ${MIN_STALL_TAIL_MS} ms)` };
  }
  const fit = fitStallTail([w95 / 1000, w98 / 1000, w99 / 1000]);
  return { fit, w: [w95, w98, w99], reason: fit ? '' : 'the request tail fits no stall length' };
}

export function estimateStalls(runs: readonly MeasuredRun[], archs: readonly Architecture[]): { estimate: StallEstimate | null; reason: string } {
  const { fit, w: [w95, w98, w99], reason } = readTail(runs);
  if (!fit) return { estimate: null, reason };
  const meanS = fit.medianS * Math.exp((fit.sigma * fit.sigma) / 2);
  const gapS = fit.cycleS - meanS;
  if (!(gapS > 0)) return { estimate: null, reason: 'the stalls the tail implies would cover the whole run' };

  // messages per process and second under load, and handled during the ramp
  let messagesS = 0;
  let processes = 0;
  let rampMessages = 0;
  runs.forEach((run, i) => {
    const users = Object.values(run.usersPerRegion).reduce((a, b) => a + b, 0);
    let requests = 0;
    let connected = 0;
    for (const region of run.regions) {
      requests += run.report.regions[region].request.count;
      connected += run.report.regions[region].connected;
    }
    const perUserS = connected > 0 && run.report.durationS > 0 ? requests / connected / run.report.durationS : 0;
    const procs = serverProcesses(archs[i]);
    messagesS += (users * perUserS) / procs;
    processes++;
    rampMessages += (users * rampMessagesPerUser(workloadOf(run), rampSecondsOf(run))) / procs;
  });
  messagesS /= Math.max(1, processes);
  rampMessages /= Math.max(1, processes);
  if (!(messagesS > 0)) return { estimate: null, reason: 'no request rate to turn the stalls\' gap into messages' };

  const hs = pooledExcess(runs, (r) => r.handshake, 'p98');
  const rampClean = hs !== null && hs < (fit.medianS * 1000) / 2;
  const round = (x: number) => Number(x.toPrecision(4));
  return {
    estimate: {
      loopPauseEveryMessages: round(gapS * messagesS),
      loopPauseMedianMs: round(fit.medianS * 1000),
      loopPauseSigma: fit.sigma,
      loopPauseOnsetMessages: rampClean ? round(rampMessages) : 0,
      basis: { requestExcessMs: [round(w95), round(w98), round(w99)], handshakeP98ExcessMs: hs === null ? null : round(hs), messagesPerProcessS: round(messagesS), meanCycleS: round(fit.cycleS) },
    },
    reason: rampClean ? 'the ramp\'s handshakes show no stall: the first comes after the ramp' : 'the ramp\'s handshakes stall too: no onset',
  };
}

/** The loopPause* values of a stall setting. */
export type StallParams = Pick<StallEstimate, 'loopPauseEveryMessages' | 'loopPauseMedianMs' | 'loopPauseSigma' | 'loopPauseOnsetMessages'>;

/**
 * The stall setting `given`, moved so that the simulator's tail (its Reports, read on the measured
 * regions) reads like the measured one: the median and the cycle each by measured over simulated
 * reading, the shape by their difference; null when either tail reads as no stalls.
 */
export function correctStalls(given: StallParams, simulated: readonly Report[], runs: readonly MeasuredRun[]): StallParams | null {
  const measured = readTail(runs).fit;
  const sim = readTail(simulated.map((report, i) => ({ report, regions: runs[i].regions }))).fit;
  if (!measured || !sim) return null;
  const round = (x: number) => Number(x.toPrecision(4));
  return {
    loopPauseEveryMessages: round(given.loopPauseEveryMessages * (measured.cycleS / sim.cycleS)),
    loopPauseMedianMs: round(given.loopPauseMedianMs * (measured.medianS / sim.medianS)),
    loopPauseSigma: Math.min(3, Math.max(0.1, Math.round((given.loopPauseSigma + measured.sigma - sim.sigma) * 100) / 100)),
    loopPauseOnsetMessages: given.loopPauseOnsetMessages,
  };
}

/**
 * The fewest messages before the first stall that the data allow: when the ramp's handshakes show
 * no stall (an estimate with an onset), no fitted point may put the first stall inside the ramp,
 * so a candidate with an earlier onset is evaluated at this one (0: no floor). Without it a fit on
 * far regions, whose handshakes take a second, can let a few stalls into the ramp unseen; a region
 * next to the server, whose handshakes take 15 ms, then shows them as seconds in its handshake
 * tail (a split's held-out Ireland: p98 +395 % on 3 seeds). A floor on the values, not a
 * narrower range: the search's unit cube, and with it its path wherever the floor does not bind,
 * stay as they were.
 */
export function onsetFloor(stalls: StallParams | null): number {
  return stalls?.loopPauseOnsetMessages ?? 0;
}
