import { z } from 'zod';
import { parseWith } from './schema.ts';
import { UserError } from './errors.ts';
import prices2015 from './data/prices-2015-eu-west-1.json' with { type: 'json' };
import onDemand2015 from './data/prices-2015-on-demand.json' with { type: 'json' };

/**
 * The price table of the cost model (SYSTEM.md §7): plain data, shipped as
 * model/data/prices-2015-eu-west-1.json and replaceable by a user's file of the same shape.
 * All prices in `currency` per hour or per unit as named; data volumes in GB of `bytesPerGb` bytes.
 */
export interface PriceTable {
  name: string;
  currency: string;
  /** bytes in one billed GB (the thesis's volumes are binary: 2^30) */
  bytesPerGb: number;
  /** on-demand price per instance-hour by EC2 instance type */
  ec2PerHour: Record<string, number>;
  /** price per instance-hour by RDS instance type */
  rdsPerHour: Record<string, number>;
  /** EBS storage per GB-hour */
  ebsPerGbHour: number;
  /** EBS provisioned IOPS per IOPS-hour */
  ebsPerIopsHour: number;
  /** data transfer in, per GB */
  dataInPerGb: number;
  /** data transfer out, per GB */
  dataOutPerGb: number;
  /** CloudWatch detailed monitoring per instance-hour */
  monitoringPerInstanceHour: number;
  /** Route 53 (hosted zone with latency-based routing) per hour */
  route53PerHour: number;
  /** where the figures come from, conventions (free text) */
  notes?: string[];
}

const price = z.number({ error: 'must be a number' }).nonnegative('must be a non-negative price').refine(Number.isFinite, 'must be finite');
const priceMap = z.record(z.string().min(1, 'must be a non-empty instance type'), price);

const schema = z.strictObject({
  name: z.string().min(1, 'must be a non-empty string'),
  currency: z.string().min(1, 'must be a non-empty string'),
  bytesPerGb: z.number({ error: 'must be a number' }).positive('must be a positive number of bytes (1e9 or 1073741824)'),
  ec2PerHour: priceMap,
  rdsPerHour: priceMap,
  ebsPerGbHour: price,
  ebsPerIopsHour: price,
  dataInPerGb: price,
  dataOutPerGb: price,
  monitoringPerInstanceHour: price,
  route53PerHour: price,
  notes: z.array(z.string()).optional(),
});

/**
 * Validates price-table data (built in or from a user's file).
 * @throws UserError CONFIG_INVALID naming the field, the value and the rule, and `where`.
 */
export function parsePriceTable(data: unknown, where: string): PriceTable {
  return parseWith(schema, data, where) as PriceTable;
}

/** The built-in 2015 Ireland table of the thesis (a fresh copy, safe to modify). */
export function defaultPriceTable(): PriceTable {
  return parsePriceTable(structuredClone(prices2015), 'built-in price table model/data/prices-2015-eu-west-1.json');
}

const BUILT_IN: Readonly<Record<string, { data: unknown; file: string }>> = {
  'thesis-2015': { data: prices2015, file: 'model/data/prices-2015-eu-west-1.json' },
  'on-demand-2015': { data: onDemand2015, file: 'model/data/prices-2015-on-demand.json' },
};

/**
 * Built-in price tables by name: `thesis-2015` (the study's own estimate, SYSTEM.md §7; the
 * default, it reproduces the study's cost figures) and `on-demand-2015` (list prices for every
 * instance type, for comparing designs, e.g. in `sim plan`).
 */
export const BUILT_IN_PRICE_TABLES: readonly string[] = Object.keys(BUILT_IN);

/** A built-in price table by name (a fresh copy). @throws UserError CONFIG_UNKNOWN */
export function builtInPriceTable(name: string): PriceTable {
  const entry = BUILT_IN[name];
  if (!entry) throw new UserError('CONFIG_UNKNOWN', `--prices must be one of ${BUILT_IN_PRICE_TABLES.join(', ')} or a path to a price-table JSON file (got ${JSON.stringify(name)})`);
  return parsePriceTable(structuredClone(entry.data), `built-in price table ${entry.file}`);
}
