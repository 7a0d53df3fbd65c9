// Entry of a worker thread of the local pool (piscina): worker threads do not inherit the
// TypeScript loader of the main thread, so register it here before loading the .ts cell.
import { register } from 'tsx/esm/api';

register();
const { runCellJson } = await import('./cell.ts');

/** piscina calls the default export with the task: a SimInput (plain JSON). */
export default function runTask(input) {
  return runCellJson(input);
}
