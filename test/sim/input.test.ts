import { describe, expect, it } from 'vitest';
import { builtInArchitecture } from '../../model/architecture.ts';
import { DEFAULT_PARAMS } from '../../model/params.ts';
import { THESIS_SCENARIO } from '../../model/workload.ts';
import { BYTES_PER_INSTANCE_MINUTE, BYTES_PER_USER, MAX_USERS, checkLimits, type SimInput } from '../../sim/input.ts';

const input = (users: number, durationS = 5400, rampPerS = users / 200): SimInput => ({
  arch: builtInArchitecture('proposed1'),
  scenario: { ...THESIS_SCENARIO, users, rampPerS, durationS },
  params: DEFAULT_PARAMS,
  seed: 1,
});
const GB = 1e9;

describe('limits of one run, refused before anything is allocated', () => {
  it('accepts what fits', () => {
    expect(() => checkLimits(input(1e6), 4 * GB)).not.toThrow();
    expect(() => checkLimits(input(MAX_USERS), 1e3 * GB)).not.toThrow();
  });
  it('refuses more users than the arrays hold, naming the flag, the value and the limit', () => {
    expect(() => checkLimits(input(MAX_USERS + 1), 1e3 * GB)).toThrow(/^--users must be at most 134,217,726, .*\(got 134,217,727\)/);
    expect(() => checkLimits(input(1e12, 1), 1e6 * GB)).toThrow(/^--users must be at most 134,217,726, .*\(got 1,000,000,000,000\)/);
  });
  it('refuses more memory than the machine has: users, or instances × simulated minutes', () => {
    const users = Math.ceil((4 * GB) / BYTES_PER_USER) + 1;
    expect(() => checkLimits(input(users), 4 * GB)).toThrow(new RegExp(`^--users ${users.toLocaleString('en-US')} needs about 4\\.\\d\\d GB of memory \\(${BYTES_PER_USER} bytes per user\\), more than this machine's 4\\.00 GB$`));
    const minutes = (4 * GB) / (10 * BYTES_PER_INSTANCE_MINUTE); // proposed1: 8 server instances, Redis and RDS
    expect(() => checkLimits(input(1000, minutes * 60 * 1.01), 4 * GB)).toThrow(/^--duration [\d,]+ s needs about 4\.\d\d GB of memory \(32 bytes per instance and simulated minute, 10 instances, [\d,]+ minutes\), more than this machine's 4\.00 GB$/);
    expect(() => checkLimits(input(1000, 60, 1e-9), 4 * GB)).toThrow(/^--ramp 1e-9 per s \(a 1,000,000,000,000 s ramp\) needs about/);
  });
});
