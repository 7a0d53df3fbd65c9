import type { Architecture } from '../../model/architecture.ts';
import { costInputForArchitecture, hourlyCost } from '../../model/cost.ts';
import type { PriceTable } from '../../model/prices.ts';

/**
 * Hourly cost of a candidate for ranking: every billed instance, storage, IOPS, monitoring and
 * Route 53, priced with the price table (model/cost.ts). Data transfer is left out of the
 * ranking (it is the same clients' traffic whatever the layout); the plan prints it apart.
 * @throws UserError CONFIG_UNKNOWN when a type has no price in the table
 */
export function hourlyCostOf(arch: Architecture, prices: PriceTable): number {
  return hourlyCost(costInputForArchitecture(arch, { inBytes: 0, outBytes: 0 }), prices).totalHourly;
}
