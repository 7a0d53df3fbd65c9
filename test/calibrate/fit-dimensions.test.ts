import { describe, expect, it } from 'vitest';
import { dimensionsFor, EMULATED_HANDSHAKE_WORK_MS, FIT_DIMENSIONS, HANDSHAKE_WORK_MS } from '../../calibrate/fit/dimensions.ts';
import { DEFAULT_PARAMS, PARAM_DOCS } from '../../model/params.ts';

const handshake = (dims: readonly { path: string; lo: number; hi: number }[]) => dims.find((d) => d.path === 'cpuTlsHandshakeMs')!;

describe('the fitted dimensions', () => {
  it('bound the handshake work by what a real TLS handshake costs the study\'s CPU, inside its plausible range', () => {
    const d = handshake(FIT_DIMENSIONS);
    expect([d.lo, d.hi]).toEqual([HANDSHAKE_WORK_MS.lo, HANDSHAKE_WORK_MS.hi]);
    const [lo, hi] = PARAM_DOCS.cpuTlsHandshakeMs.range;
    expect(d.lo).toBeGreaterThanOrEqual(lo);
    expect(d.hi).toBeLessThanOrEqual(hi);
    // the prior (an RSA-2048 operation plus key derivation) lies well inside
    expect(d.lo).toBeLessThan(DEFAULT_PARAMS.cpuTlsHandshakeMs / 3);
    expect(d.hi).toBeGreaterThan(DEFAULT_PARAMS.cpuTlsHandshakeMs * 2);
  });

  it('keep every dimension as it is for runs of real clients', () => {
    const { dims, notes } = dimensionsFor(FIT_DIMENSIONS, [{}, {}]);
    expect(dims).toEqual(FIT_DIMENSIONS);
    expect(notes).toEqual([]);
  });

  it('widen the handshake work alone when every run\'s TCP and TLS legs are emulated (no RSA operation), and say so', () => {
    const { dims, notes } = dimensionsFor(FIT_DIMENSIONS, [{ emulatedSetupRtts: 3 }]);
    expect([handshake(dims).lo, handshake(dims).hi]).toEqual([EMULATED_HANDSHAKE_WORK_MS.lo, EMULATED_HANDSHAKE_WORK_MS.hi]);
    expect(dims.filter((d) => d.path !== 'cpuTlsHandshakeMs')).toEqual(FIT_DIMENSIONS.filter((d) => d.path !== 'cpuTlsHandshakeMs'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain('cpuTlsHandshakeMs');
    // one run with real handshakes among them keeps the hardware's bound
    expect(handshake(dimensionsFor(FIT_DIMENSIONS, [{ emulatedSetupRtts: 3 }, {}]).dims).hi).toBe(HANDSHAKE_WORK_MS.hi);
  });

  it('drop the interpreter lock\'s hand-off only when every run\'s servers write their fan-outs on their loops', () => {
    const has = (s: Parameters<typeof dimensionsFor>[1]) => dimensionsFor(FIT_DIMENSIONS, s).dims.some((d) => d.path === 'broadcastLockHandoff');
    expect(has([{ fanOutOnLoop: true }])).toBe(false);
    expect(has([{ fanOutOnLoop: true }, {}])).toBe(true);
    expect(has([{}])).toBe(true);
  });
});
