import { describe, expect, it } from 'vitest';
import { UserError } from '../../model/errors.ts';
import { parseChoice, parseCount, parseDurationS } from '../../model/args.ts';

describe('command-line values', () => {
  it('reads user counts the way people write them', () => {
    expect(parseCount('--users', '24000')).toBe(24_000);
    expect(parseCount('--users', '1e6')).toBe(1_000_000);
    expect(parseCount('--users', '1_000_000')).toBe(1_000_000);
    expect(parseCount('--users', '1,000,000')).toBe(1_000_000);
    expect(parseCount('--users', '2.5k')).toBe(2_500);
    expect(parseCount('--users', '10M')).toBe(10_000_000);
  });
  it('names the flag, the value and the rule for a bad count', () => {
    expect(() => parseCount('--users', '-5')).toThrow(UserError);
    expect(() => parseCount('--users', '-5')).toThrow('--users must be a positive integer such as 24000, 1e6 or 1_000_000 (got "-5")');
    for (const bad of ['0', '1.5', 'many', '', '1e400']) expect(() => parseCount('--users', bad)).toThrow(/--users must be a positive integer/);
  });
  it('reads durations', () => {
    expect(parseDurationS('--duration', '90m')).toBe(5_400);
    expect(parseDurationS('--duration', '5400s')).toBe(5_400);
    expect(parseDurationS('--duration', '5400')).toBe(5_400);
    expect(parseDurationS('--duration', '1h30m')).toBe(5_400);
    expect(parseDurationS('--duration', '500ms')).toBe(0.5);
    expect(() => parseDurationS('--duration', '90 minutes')).toThrow(/--duration must be a duration such as 90m/);
    expect(() => parseDurationS('--duration', '0s')).toThrow(/positive/);
  });
  it('checks choices', () => {
    expect(parseChoice('--db-mode', 'async', ['blocking', 'async', 'batched'])).toBe('async');
    expect(() => parseChoice('--db-mode', 'fast', ['blocking', 'async', 'batched'])).toThrow('--db-mode must be one of blocking, async, batched (got "fast")');
  });
});
