import type { Architecture } from './architecture.ts';
import { allocationForArchitecture, costInputForArchitecture, hourlyCost, trafficPerHour } from './cost.ts';
import { UserError } from './errors.ts';
import { metersFor } from './meters.ts';
import { defaultPriceTable, type PriceTable } from './prices.ts';
import type { Report } from './report.ts';

/**
 * The last step every Report goes through, whatever made it: it adds the cost and the
 * scalability meters (model/cost.ts, model/meters.ts). The simulator (sim/run.ts), the live run
 * and the importer call it on their finished Reports, so all three are priced and metered alike.
 */

/**
 * Adds cost and meters to any Report (simulated, live or imported) by the same code: the
 * hourly cost of the architecture with the Report's own traffic spread over `loadHours` (the study's
 * convention: the volume of the load phase over its length), then the scalability meters from
 * the Report's fields. Fills `report.cost` and `report.meters` and appends a note saying how;
 * leaves the cost null, with the reason in a note, when an input is missing or an instance type
 * has no price in the table (a finished run is never thrown away for want of a price; the
 * meters that need no price are still computed).
 */
export function addCostAndMeters(report: Report, arch: Architecture | null, opts: { loadHours: number; prices?: PriceTable }): Report {
  const prices = opts.prices ?? defaultPriceTable();
  const notes = (report.notes ??= []);
  const traffic = trafficPerHour(report, opts.loadHours);
  if (arch && traffic) {
    try {
      report.cost = hourlyCost(costInputForArchitecture(arch, traffic), prices);
      notes.push(`cost: architecture ${arch.name} priced with "${prices.name}"; data transfer = the run's network volume / ${+(opts.loadHours * 60).toFixed(2)} minutes of load`);
    } catch (err) {
      if (!(err instanceof UserError) || err.code !== 'CONFIG_UNKNOWN') throw err;
      report.cost = null;
      notes.push(`cost not computed: ${err.message}`);
    }
  } else {
    report.cost = null;
    notes.push(arch ? 'cost not computed: no network data to bill' : 'cost not computed: the architecture is unknown (pass --arch)');
  }
  report.meters = metersFor(report, report.cost, { allocation: arch ? allocationForArchitecture(arch) : null });
  return report;
}
