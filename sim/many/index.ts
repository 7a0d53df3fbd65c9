/**
 * What other folders may use of many/: running a batch of simulation cells on a runner (local
 * pool or queue), the cache key of an input, progress on stderr, the flag parsers shared by the
 * commands that run many cells, and the plain-text table. `sim plan` (sim/plan/) builds on
 * these and nothing else of many/; many/ imports nothing of plan/.
 */
export { inputHash } from './hash.ts';
export { RAMP_S, paramsOf, parseDbModes, parseList, parseSeed, regionMixOf } from './inputs.ts';
export { progressPrinter } from './progress.ts';
export { runLargestFirst, runnerFor, withRunnerOptions, type CellRunner, type ManyProgress } from './runner.ts';
export { TEXT_WIDTH, textTable, wrap } from './text.ts';
