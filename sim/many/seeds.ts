import { createHash } from 'node:crypto';

/**
 * Seeds of independent replications, derived deterministically from the input's seed:
 * replication 0 uses the seed itself (so one replication is exactly `sim run`), replication i > 0
 * the first 31 bits of sha256("replication/<seed>/<i>"). The same base seed always gives the same
 * seeds, on any machine.
 */
export function replicationSeed(baseSeed: number, index: number): number {
  if (!Number.isInteger(index) || index < 0) throw new Error(`seeds invariant violated: replication index must be a non-negative integer (got ${index})`);
  if (index === 0) return baseSeed;
  const digest = createHash('sha256').update(`replication/${baseSeed}/${index}`).digest();
  return digest.readUInt32BE(0) >>> 1;
}

/** The seeds of replications 0..n−1. */
export function replicationSeeds(baseSeed: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => replicationSeed(baseSeed, i));
}
