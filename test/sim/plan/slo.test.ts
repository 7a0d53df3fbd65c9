import { describe, expect, it } from 'vitest';
import { UserError } from '../../../model/errors.ts';
import { emptySummary, type Report } from '../../../model/report.ts';
import { parseSlo, sloViolations } from '../../../sim/plan/slo.ts';

function fails(text: string): UserError {
  try {
    parseSlo(text);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return err as UserError;
  }
  throw new Error(`parseSlo accepted ${text}`);
}

describe('SLO parsing', () => {
  it('reads terms with units into ms', () => {
    expect(parseSlo('request.p98<500ms, broadcast.p98<1s,handshake.mean<=2.5s')).toEqual([
      { metric: 'request', stat: 'p98', limitMs: 500, inclusive: false, text: 'request.p98<500ms' },
      { metric: 'broadcast', stat: 'p98', limitMs: 1000, inclusive: false, text: 'broadcast.p98<1000ms' },
      { metric: 'handshake', stat: 'mean', limitMs: 2500, inclusive: true, text: 'handshake.mean<=2500ms' },
    ]);
  });

  it('names the term and the rule it breaks', () => {
    expect(fails('latency.p98<500ms').message).toMatch(/--slo term "latency.p98<500ms" must start with one of handshake, request, broadcast/);
    expect(fails('request.p97<500ms').message).toMatch(/must use a statistic among/);
    expect(fails('request.p98<500').message).toMatch(/must give a unit/);
    expect(fails('request.p98<5min').message).toMatch(/in ms or s/);
    expect(fails('request.p98>500ms').message).toMatch(/must look like metric.stat<limit/);
    expect(fails('request.p98<1s,request.p98<2s').message).toMatch(/must not repeat request.p98/);
    expect(fails(' , ').code).toBe('CONFIG_INVALID');
  });
});

describe('SLO violations', () => {
  const region = (p98: number | null, connected = 10) => ({
    connected, failed: 0, handshake: emptySummary(), broadcast: emptySummary(), request: { ...emptySummary(), count: p98 === null ? 0 : 5, p98 },
  });
  const report = { regions: { 'eu-west-1': region(100), 'ap-southeast-2': region(900), 'sa-east-1': region(null), 'us-east-1': region(null, 0) }, global: region(600) } as unknown as Report;

  it('lists each region that breaks a term, worst first, and skips regions without users', () => {
    const v = sloViolations(report, parseSlo('request.p98<500ms'));
    expect(v.map((x) => x.region)).toEqual(['sa-east-1', 'ap-southeast-2', 'global']);
    expect(v[1]).toMatchObject({ valueMs: 900, limitMs: 500 });
  });
});
