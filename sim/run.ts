import { addCostAndMeters } from '../model/finish.ts';
import { CLIENT_REGION_IDS } from '../model/regions.ts';
import { Kernel } from './engine/kernel.ts';
import { Streams } from './engine/random.ts';
import { checkLimits, type SimInput, type SimOptions, type SimResult } from './input.ts';
import { assembleReport } from './runner/assemble.ts';
import { buildPopulation } from './runner/clients.ts';
import { SystemModel } from './runner/system.ts';
import { buildTopology } from './runner/topology.ts';

/** Slices the run is cut into for progress reports (a cheap check between slices). */
const PROGRESS_SLICES = 200;

/**
 * Simulates the thesis system (SYSTEM.md) on an architecture under a scenario and returns the
 * Report. Deterministic: the same input gives a byte-identical Report (no wall clock, seeded
 * streams, fixed key order). Cost and meters come from the same code as for measured Reports
 * (model/finish.ts). `opts.onProgress` is called between slices of simulated time.
 */
export function simulate(input: SimInput, opts: SimOptions = {}): SimResult {
  checkLimits(input);
  const { arch, scenario, params, seed } = input;
  const mixRegions = Object.keys(scenario.regionMix).filter((r) => scenario.regionMix[r] > 0);
  // report order: the client regions of the study first (distance from Ireland), then any other
  const clientRegions = [
    ...CLIENT_REGION_IDS.filter((r) => mixRegions.includes(r)),
    ...mixRegions.filter((r) => !CLIENT_REGION_IDS.includes(r)).sort(),
  ];
  const topo = buildTopology(arch, params, clientRegions);
  const pop = buildPopulation(topo, scenario.users, scenario.regionMix);
  const kernel = new Kernel(Math.max(1024, Math.min(scenario.users, 1 << 22) + 1024));
  const sys = new SystemModel(kernel, topo, pop, arch, scenario, params, new Streams(seed));
  sys.start();
  const endS = sys.endS;
  if (opts.onProgress) {
    for (let i = 1; i <= PROGRESS_SLICES; i++) {
      kernel.run((endS * i) / PROGRESS_SLICES);
      opts.onProgress({ simTimeS: kernel.now, endTimeS: endS, events: kernel.executed + sys.wheel.released });
    }
  } else {
    kernel.run(endS);
  }
  sys.finish();
  const report = addCostAndMeters(assembleReport(arch, scenario, params, seed, topo, pop, sys), arch, { loadHours: scenario.durationS / 3600 });
  return { report, events: kernel.executed + sys.wheel.released };
}

