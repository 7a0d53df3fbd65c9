import type { Architecture } from './architecture.ts';
import { UserError, invalid } from './errors.ts';
import { instanceType } from './instances.ts';
import type { Allocation } from './meters.ts';
import type { PriceTable } from './prices.ts';
import type { Report } from './report.ts';

/**
 * The hourly running cost of SYSTEM.md §7: a plain list of billed items priced with an editable
 * price table (model/prices.ts). Works for any architecture, simulated or measured.
 */

/** What is billed, per hour. Counts of instances; storage in GB and IOPS; data in bytes per hour. */
export interface CostInput {
  ec2: { type: string; count: number }[];
  rds: { type: string; count: number }[];
  /** provisioned EBS storage, GB, over all instances (EC2 and RDS) */
  ebsGb: number;
  /** provisioned IOPS over all instances */
  ebsIops: number;
  /** instances with CloudWatch detailed monitoring */
  monitoredInstances: number;
  /** Route 53 latency-routed hosted zones (0 when all clients go to one endpoint) */
  route53: number;
  dataInBytesPerHour: number;
  dataOutBytesPerHour: number;
}

/** Provisioned storage per instance (SYSTEM.md §3 and §7): EC2 image 140 GB / 4,000 IOPS, RDS 100 GB / 1,000 IOPS. */
export interface StoragePerInstance {
  ec2Gb: number;
  ec2Iops: number;
  rdsGb: number;
  rdsIops: number;
}

export const THESIS_STORAGE: Readonly<StoragePerInstance> = Object.freeze({ ec2Gb: 140, ec2Iops: 4000, rdsGb: 100, rdsIops: 1000 });

/**
 * Hours the thesis spread a run's measured data volume over when billing it: the 90 minutes of
 * steady load (SYSTEM.md §2). Dividing the baseline's 2.91 + 13.56 GB by it gives the data line
 * of the 2.4534 $/h total of §7.
 */
export const THESIS_LOAD_HOURS = 1.5;

/** The line items of the hourly cost, in the order of SYSTEM.md §7. */
export const COST_ITEMS = ['ec2', 'ebsStorage', 'ebsIops', 'rds', 'dataIn', 'dataOut', 'monitoring', 'route53'] as const;

/**
 * Prices a list of billed items: `{ hourly: { ec2, ebsStorage, ebsIops, rds, dataIn, dataOut,
 * monitoring, route53 }, totalHourly }` in the table's currency per hour.
 * @throws UserError CONFIG_UNKNOWN when an instance type has no price in the table;
 *         CONFIG_INVALID for a negative or non-finite quantity.
 */
export function hourlyCost(input: CostInput, prices: PriceTable): NonNullable<Report['cost']> {
  for (const [field, v] of [['ebsGb', input.ebsGb], ['ebsIops', input.ebsIops], ['monitoredInstances', input.monitoredInstances],
    ['route53', input.route53], ['dataInBytesPerHour', input.dataInBytesPerHour], ['dataOutBytesPerHour', input.dataOutBytesPerHour]] as const) {
    if (!(v >= 0) || !Number.isFinite(v)) throw invalid(`cost input ${field}`, v, 'must be a non-negative finite number');
  }
  const instances = (list: CostInput['ec2'], table: Record<string, number>, service: string): number => {
    let sum = 0;
    for (const { type, count } of list) {
      const unit = table[type];
      if (unit === undefined) {
        throw new UserError('CONFIG_UNKNOWN', `${service} instance type ${JSON.stringify(type)} has no price in the price table "${prices.name}" (add it to ${service}PerHour)`);
      }
      if (!(count >= 0)) throw invalid(`cost input ${service} ${type} count`, count, 'must be a non-negative number');
      sum += unit * count;
    }
    return sum;
  };
  const hourly: Record<string, number> = {
    ec2: instances(input.ec2, prices.ec2PerHour, 'ec2'),
    ebsStorage: input.ebsGb * prices.ebsPerGbHour,
    ebsIops: input.ebsIops * prices.ebsPerIopsHour,
    rds: instances(input.rds, prices.rdsPerHour, 'rds'),
    dataIn: (input.dataInBytesPerHour / prices.bytesPerGb) * prices.dataInPerGb,
    dataOut: (input.dataOutBytesPerHour / prices.bytesPerGb) * prices.dataOutPerGb,
    monitoring: input.monitoredInstances * prices.monitoringPerInstanceHour,
    route53: input.route53 * prices.route53PerHour,
  };
  let totalHourly = 0;
  for (const k of COST_ITEMS) totalHourly += hourly[k];
  return { hourly, totalHourly };
}

/** Instances of an architecture that are billed as their own machines, by service and type. */
function billedInstances(arch: Architecture): { ec2: Map<string, number>; rds: Map<string, number> } {
  const ec2 = new Map<string, number>();
  const rds = new Map<string, number>();
  const add = (type: string, count: number): void => {
    const kind = instanceType(type)?.service ?? (type.startsWith('db.') ? 'rds' : 'ec2');
    const m = kind === 'rds' ? rds : ec2;
    m.set(type, (m.get(type) ?? 0) + count);
  };
  for (const g of arch.servers) add(g.instanceType, g.count);
  for (const n of [...arch.redis, ...arch.mysql]) if (n.instanceType) add(n.instanceType, 1);
  return { ec2, rds };
}

const total = (m: Map<string, number>): number => [...m.values()].reduce((s, c) => s + c, 0);

/**
 * The billed items of an architecture (SYSTEM.md §7): every server instance and every data node
 * on its own instance (co-located nodes cost nothing extra), `storage` per EC2 and per RDS
 * instance, detailed monitoring on every EC2 instance, one Route 53 zone when routing is by
 * latency, and the given data transfer in bytes per hour.
 */
export function costInputForArchitecture(
  arch: Architecture,
  trafficBytesPerHour: { inBytes: number; outBytes: number },
  storage: StoragePerInstance = THESIS_STORAGE,
): CostInput {
  const { ec2, rds } = billedInstances(arch);
  const ec2Count = total(ec2);
  const rdsCount = total(rds);
  return {
    ec2: [...ec2].map(([type, count]) => ({ type, count })),
    rds: [...rds].map(([type, count]) => ({ type, count })),
    ebsGb: ec2Count * storage.ec2Gb + rdsCount * storage.rdsGb,
    ebsIops: ec2Count * storage.ec2Iops + rdsCount * storage.rdsIops,
    monitoredInstances: ec2Count,
    route53: arch.routing.mode === 'latency' ? 1 : 0,
    dataInBytesPerHour: trafficBytesPerHour.inBytes,
    dataOutBytesPerHour: trafficBytesPerHour.outBytes,
  };
}

/**
 * Resources allocated to an architecture, the inputs of CRAM: vCPUs and memory of every billed
 * instance (EC2 and RDS) and their provisioned storage in GB.
 * @throws UserError CONFIG_UNKNOWN for an instance type missing from the instance table.
 */
export function allocationForArchitecture(arch: Architecture, storage: StoragePerInstance = THESIS_STORAGE): Allocation {
  const { ec2, rds } = billedInstances(arch);
  let cores = 0;
  let memoryGiB = 0;
  for (const [type, count] of [...ec2, ...rds]) {
    const t = instanceType(type);
    if (!t) throw new UserError('CONFIG_UNKNOWN', `instance type ${JSON.stringify(type)} is not in the instance table`);
    cores += t.vcpu * count;
    memoryGiB += t.memoryGiB * count;
  }
  return { cores, memoryGiB, diskGb: total(ec2) * storage.ec2Gb + total(rds) * storage.rdsGb };
}

/**
 * Data transfer per hour of a Report: its measured network volume spread over `loadHours`
 * (the thesis convention is {@link THESIS_LOAD_HOURS}). Null when the Report has no network data.
 */
export function trafficPerHour(report: Report, loadHours: number): { inBytes: number; outBytes: number } | null {
  if (!(loadHours > 0)) throw invalid('load hours', loadHours, 'must be a positive number');
  const n = report.network;
  if (!n || n.inBytes === null || n.outBytes === null) return null;
  return { inBytes: n.inBytes / loadHours, outBytes: n.outBytes / loadHours };
}
