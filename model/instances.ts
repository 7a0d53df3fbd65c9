/**
 * Hardware of the instance types architectures may use (2015 generation, as in SYSTEM.md §3).
 * Prices are not here: they live in the editable price table (model/prices.ts).
 * All processors: Intel Xeon E5-2680 v2, 2.8 GHz, so a core is the same unit everywhere.
 */
export interface InstanceType {
  /** vCPUs (hyper-threads), the unit CloudWatch CPU % is relative to */
  vcpu: number;
  memoryGiB: number;
  service: 'ec2' | 'rds';
}

export const INSTANCE_TYPES: Readonly<Record<string, InstanceType>> = {
  'm3.medium': { vcpu: 1, memoryGiB: 3.75, service: 'ec2' },
  'm3.large': { vcpu: 2, memoryGiB: 7.5, service: 'ec2' },
  'm3.xlarge': { vcpu: 4, memoryGiB: 15, service: 'ec2' },
  'm3.2xlarge': { vcpu: 8, memoryGiB: 30, service: 'ec2' },
  'm2.xlarge': { vcpu: 2, memoryGiB: 17.1, service: 'ec2' },
  'c3.large': { vcpu: 2, memoryGiB: 3.75, service: 'ec2' },
  'c3.xlarge': { vcpu: 4, memoryGiB: 7.5, service: 'ec2' },
  'c3.2xlarge': { vcpu: 8, memoryGiB: 15, service: 'ec2' },
  'c3.4xlarge': { vcpu: 16, memoryGiB: 30, service: 'ec2' },
  'c3.8xlarge': { vcpu: 32, memoryGiB: 60, service: 'ec2' },
  'r3.large': { vcpu: 2, memoryGiB: 15.25, service: 'ec2' },
  'r3.xlarge': { vcpu: 4, memoryGiB: 30.5, service: 'ec2' },
  'r3.2xlarge': { vcpu: 8, memoryGiB: 61, service: 'ec2' },
  'db.m3.medium': { vcpu: 1, memoryGiB: 3.75, service: 'rds' },
  'db.m3.large': { vcpu: 2, memoryGiB: 7.5, service: 'rds' },
  'db.m3.xlarge': { vcpu: 4, memoryGiB: 15, service: 'rds' },
  'db.m3.2xlarge': { vcpu: 8, memoryGiB: 30, service: 'rds' },
  'db.r3.large': { vcpu: 2, memoryGiB: 15.25, service: 'rds' },
  'db.r3.xlarge': { vcpu: 4, memoryGiB: 30.5, service: 'rds' },
  'db.r3.2xlarge': { vcpu: 8, memoryGiB: 61, service: 'rds' },
  'db.r3.4xlarge': { vcpu: 16, memoryGiB: 122, service: 'rds' },
  'db.r3.8xlarge': { vcpu: 32, memoryGiB: 244, service: 'rds' },
};

export function instanceType(name: string): InstanceType | undefined {
  return INSTANCE_TYPES[name];
}
