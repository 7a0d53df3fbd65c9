import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../model/errors.ts';
import { loadReports, parseReport } from '../../reports/load.ts';
import { validateReport } from '../../reports/schema.ts';
import { FIXTURE_NAMES, fixture, fixturePath } from './helpers.ts';

function expectReportInvalid(fn: () => unknown, ...parts: string[]): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).code).toBe('REPORT_INVALID');
    const message = (err as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    for (const p of parts) expect(message).toContain(p);
    return;
  }
  throw new Error('expected a REPORT_INVALID error');
}

describe('Report validation', () => {
  it('accepts every fixture', () => {
    for (const name of FIXTURE_NAMES) expect(validateReport(fixture(name), `${name}.json`).arch).toBeTruthy();
  });

  it('names the file and the field of a mistyped value', () => {
    const r = fixture('proposed1-sim') as unknown as { regions: Record<string, { request: { mean: unknown } }> };
    r.regions['us-east-1'].request.mean = 'slow';
    expectReportInvalid(() => validateReport(r, 'p1.json'), 'p1.json', 'regions.us-east-1.request.mean', 'must be a number', '"slow"');
  });

  it('names a missing field', () => {
    const r = fixture('baseline-sim') as unknown as Record<string, unknown>;
    delete r.global;
    expectReportInvalid(() => validateReport(r, 'b.json'), 'b.json', 'global', 'is missing');
  });

  it('names a bad kind with the allowed values', () => {
    const r = { ...fixture('baseline-sim'), kind: 'guess' };
    expectReportInvalid(() => validateReport(r, 'b.json'), 'kind', 'sim, live, import', '"guess"');
  });

  it('rejects negative or fractional user numbers and negative connections', () => {
    expectReportInvalid(() => validateReport({ ...fixture('baseline-sim'), users: -5 }, 'b.json'), 'users', '>= 0', '-5');
    expectReportInvalid(() => validateReport({ ...fixture('baseline-sim'), users: 2.5 }, 'b.json'), 'users', 'an integer', '2.5');
    const r = fixture('baseline-sim');
    r.regions['eu-west-1'].connected = -1;
    expectReportInvalid(() => validateReport(r, 'b.json'), 'regions.eu-west-1.connected', '>= 0');
  });

  it('accepts fractional counts (weighted samples, means of replications) and unknown extra fields', () => {
    const r = fixture('baseline-sim') as unknown as Record<string, unknown> & { regions: Record<string, { broadcast: { count: number } }> };
    r.regions['eu-west-1'].broadcast.count = 9_167_321.2;
    (r.regions['eu-west-1'] as unknown as { connected: number }).connected = 2999.5;
    r.somethingNew = { a: 1 };
    expect(() => validateReport(r, 'b.json')).not.toThrow();
  });

  it('says a non-object, or non-JSON, is not a Report', () => {
    expectReportInvalid(() => validateReport([1, 2], 'list.json'), 'list.json', 'is not a Report');
    expectReportInvalid(() => parseReport('kind: sim', 'r.yaml'), 'r.yaml', 'not JSON');
    expectReportInvalid(() => parseReport('nope\n', 'r.txt'), 'r.txt', 'not JSON'); // the parser quotes the text, newline included
    expectReportInvalid(() => validateReport({ hello: 1 }, 'h.json'), 'h.json', 'kind is missing');
  });

  it('rejects Reports that share no region with the first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reports-schema-'));
    const other = fixture('proposed2-sim');
    other.regions = { 'eu-central-1': other.regions['eu-west-1'] };
    writeFileSync(join(dir, 'other.json'), JSON.stringify(other));
    await expect(loadReports([fixturePath('baseline-import'), join(dir, 'other.json')])).rejects.toThrow(/other\.json cannot be compared with baseline-import\.json: regions share no region id/);
    const empty = { ...fixture('proposed2-sim'), regions: {} };
    writeFileSync(join(dir, 'empty.json'), JSON.stringify(empty));
    await expect(loadReports([join(dir, 'empty.json')])).rejects.toMatchObject({ code: 'REPORT_INVALID', message: expect.stringContaining('regions is empty') });
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports an unreadable file as FILE_UNREADABLE', async () => {
    await expect(loadReports(['/nonexistent/r.json'])).rejects.toMatchObject({ code: 'FILE_UNREADABLE', message: expect.stringContaining('/nonexistent/r.json') });
  });
});
