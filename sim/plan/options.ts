import { UserError, invalid } from '../../model/errors.ts';
import { INSTANCE_TYPES } from '../../model/instances.ts';
import { loadPriceTable } from '../../model/load.ts';
import type { PriceTable } from '../../model/prices.ts';
import { isRegionId } from '../../model/regions.ts';
import { THESIS_SCENARIO } from '../../model/workload.ts';
import { parseCount, parseDurationS, parsePositive } from '../args.ts';
import { RAMP_S, parseDbModes, parseList, paramsOf, parseSeed, regionMixOf } from '../many/index.ts';
import { LAYOUTS, type Layout } from './design.ts';
import type { PlanSpec } from './types.ts';
import { parseSlo } from './slo.ts';

/** The flags of `sim plan`, as commander hands them over (strings). */
export interface PlanFlagValues {
  users: string; regions: string; slo: string; budget?: string; params?: string; prices?: string; dbMode: string;
  layouts?: string; serverTypes?: string; windows: string; hub: string; ramp?: string; duration: string;
  screenDuration: string; screenUsers: string; confirmUsers: string; maxCount: string; minConnected: string; seed: string;
}

function byPrice(table: Record<string, number>): string[] {
  return Object.keys(table).sort((a, b) => table[a] - table[b] || (a < b ? -1 : 1));
}

/** Server types: EC2 types of the instance table with a non-zero price (a zero price is a placeholder), cheapest first. */
export function defaultServerTypes(prices: PriceTable): string[] {
  return byPrice(prices.ec2PerHour).filter((t) => INSTANCE_TYPES[t]?.service === 'ec2' && prices.ec2PerHour[t] > 0);
}

/**
 * Validates the flags of `sim plan` into a search spec.
 * @throws UserError naming the flag, the value and the rule
 */
/** The price table `sim plan` compares designs with unless --prices names another. */
export const PLAN_PRICE_TABLE = 'on-demand-2015';

export function planSpecFromFlags(f: PlanFlagValues): PlanSpec {
  const users = parseCount('--users', f.users);
  // Designs are compared at list prices: the study's own table prices only the instance types it
  // used, some far below list (its Redis instance at 0), which would steer the search.
  const prices = loadPriceTable(f.prices ?? PLAN_PRICE_TABLE);
  const serverTypes = f.serverTypes ? parseList('--server-types', f.serverTypes) : defaultServerTypes(prices);
  for (const t of serverTypes) {
    if (INSTANCE_TYPES[t]?.service !== 'ec2') throw invalid('--server-types', t, 'must list EC2 instance types of the instance table (see `sim list`)');
    if (prices.ec2PerHour[t] === undefined) throw new UserError('CONFIG_UNKNOWN', `--server-types ${JSON.stringify(t)} has no price in the price table "${prices.name}" (add it to ec2PerHour or pass --prices)`);
  }
  if (serverTypes.length === 0) throw new UserError('CONFIG_INVALID', `the price table "${prices.name}" prices no EC2 server type above zero; pass --server-types or --prices`);
  const mysqlTypes = byPrice(prices.rdsPerHour).filter((t) => INSTANCE_TYPES[t]?.service === 'rds');
  if (mysqlTypes.length === 0) throw new UserError('CONFIG_INVALID', `the price table "${prices.name}" prices no RDS type known to the instance table; pass --prices`);
  const ec2Priced = byPrice(prices.ec2PerHour).filter((t) => INSTANCE_TYPES[t]?.service === 'ec2');
  const layouts = f.layouts ? parseList('--layouts', f.layouts).map((l) => {
    if (!(LAYOUTS as readonly string[]).includes(l)) throw invalid('--layouts', l, `must list layouts among ${LAYOUTS.join(', ')}`);
    return l as Layout;
  }) : [...LAYOUTS];
  const windowsS = parseList('--windows', f.windows).map((w) => parsePositive('--windows', w));
  if (!isRegionId(f.hub)) throw invalid('--hub', f.hub, 'must be a known region id (see `sim list`)');
  const minConnected = Number(f.minConnected);
  if (!(minConnected > 0 && minConnected <= 1)) throw invalid('--min-connected', f.minConnected, 'must be a share in (0, 1], e.g. 0.99');
  const maxCount = parseCount('--max-count', f.maxCount);
  return {
    scenario: {
      ...THESIS_SCENARIO,
      users,
      regionMix: regionMixOf(f.regions),
      rampPerS: f.ramp ? parsePositive('--ramp', f.ramp) : users / RAMP_S,
      durationS: parseDurationS('--duration', f.duration),
    },
    params: paramsOf(f.params),
    seed: parseSeed(f.seed),
    slo: parseSlo(f.slo),
    minConnectedShare: minConnected,
    budgetPerHour: f.budget ? parsePositive('--budget', f.budget.replace(/^\$/, '')) : null,
    hub: f.hub,
    layouts,
    serverTypes,
    dbModes: parseDbModes('--db-mode', f.dbMode),
    windowsS,
    redisType: ec2Priced.includes('m2.xlarge') ? 'm2.xlarge' : ec2Priced[0] ?? serverTypes[0],
    mysqlTypes,
    replicaType: mysqlTypes[0],
    prices,
    screen: { steadyS: parseDurationS('--screen-duration', f.screenDuration), maxUsers: parseCount('--screen-users', f.screenUsers) },
    confirm: { maxUsers: parseCount('--confirm-users', f.confirmUsers) },
    maxCount,
  };
}
