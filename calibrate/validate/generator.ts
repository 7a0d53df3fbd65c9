import { UserError } from '../../model/errors.ts';
import { liveGeneratorHealth } from '../../model/report.ts';
import type { MeasuredRun } from '../fit/measured.ts';

/**
 * Refuses a live run whose load generator was the bottleneck (its own event-loop lag passed the
 * limit in some second, `extra.live.loadgen.bottleneck`): its latencies are then partly the
 * generator's, not the system's, and no model should be judged on them. With `force` the runs
 * are compared anyway; the returned lines say which.
 * @throws UserError REPORT_INVALID naming every such run, unless forced
 */
export function checkGenerator(runs: readonly MeasuredRun[], force: boolean): string[] {
  const bad = runs.flatMap((run) => {
    const h = liveGeneratorHealth(run.report);
    return h?.bottleneck ? [`${run.spec}: the load generator was the bottleneck (its event-loop lag p99 passed ${h.lagLimitMs} ms in ${h.secondsOverLimit} of ${h.seconds} seconds)`] : [];
  });
  if (bad.length && !force) {
    throw new UserError('REPORT_INVALID', `refusing to validate on a live run measured by an overloaded generator: ${bad.join('; ')}; re-run with more generators (sim live loadgen on other machines, merged with sim live merge), or --force to compare anyway`);
  }
  return bad;
}
