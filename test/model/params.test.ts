import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../model/errors.ts';
import { DEFAULT_PARAMS, PARAM_DOCS, mergeParams, priorsTableMarkdown, type Params } from '../../model/params.ts';

describe('parameters', () => {
  it('documents every parameter with meaning, unit, range and source', () => {
    expect(Object.keys(PARAM_DOCS).sort()).toEqual(Object.keys(DEFAULT_PARAMS).sort());
    for (const doc of Object.values(PARAM_DOCS)) {
      expect(doc.meaning.length).toBeGreaterThan(10);
      expect(doc.source.length).toBeGreaterThan(3);
      expect(doc.range[0]).toBeLessThanOrEqual(doc.range[1]);
    }
  });
  it('has defaults inside their own documented ranges (the defaults validate)', () => {
    expect(mergeParams(structuredClone(DEFAULT_PARAMS), 'defaults')).toEqual(DEFAULT_PARAMS);
  });
  it('overrides any subset and leaves the rest at the defaults', () => {
    const p = mergeParams({ cpuPredictMs: 2, network: 'leighton', rttMatrixMs: { 'eu-west-1': { 'ap-southeast-2': 300 } } }, 'p.json');
    expect(p.cpuPredictMs).toBe(2);
    expect(p.network).toBe('leighton');
    expect(p.rttMatrixMs!['eu-west-1']['ap-southeast-2']).toBe(300);
    expect(p.cpuListGamesMs).toBe(DEFAULT_PARAMS.cpuListGamesMs);
  });
  it('does not share nested objects with the defaults', () => {
    const p: Params = mergeParams({}, 'x');
    p.opsPredict.redisReads = 99;
    expect(DEFAULT_PARAMS.opsPredict.redisReads).not.toBe(99);
  });
  it.each([
    [{ cpuPredictMz: 1 }, /cpuPredictMz|unrecognized|Unrecognized/],
    [{ cpuPredictMs: -1 }, /cpuPredictMs must be between 0\.01 and 50 \(got -1\) in p\.json/],
    [{ cpuPredictMs: 'fast' }, /cpuPredictMs must be a number \(got "fast"\)/],
    [{ broadcastSampleSockets: 2.5 }, /broadcastSampleSockets must be a whole number/],
    [{ opsPredict: { redisReads: 1, redisWrites: 1, mysqlReads: 1 } }, /opsPredict\.mysqlWrites/],
    [{ rttMatrixMs: { 'mars-1': { 'eu-west-1': 10 } } }, /rttMatrixMs keys must be known region ids \(got "mars-1"\) in p\.json/],
    [{ network: 'aws-2030' }, /network must be one of aws-2016, leighton \(got "aws-2030"\)/],
    [{ routeFactor: 1.8 }, /routeFactor|unrecognized|Unrecognized/],
    [{ rttMatrixMs: { 'eu-west-1': { 'ap-southeast-2': 0 } } }, /rttMatrixMs\.eu-west-1\.ap-southeast-2 must be between 0\.01 and 5000 ms \(got 0\)/],
    [{ lossMatrix: { 'sa-east-1': { 'eu-west-1': 0.5 } } }, /lossMatrix\.sa-east-1\.eu-west-1 must be between 0 and 0\.2 \(got 0\.5\)/],
    [{ lossMatrix: { 'sa-east-1': { 'venus-2': 0.01 } } }, /lossMatrix\.sa-east-1 keys must be known region ids \(got "venus-2"\)/],
  ])('rejects %j with one line naming field, value and rule', (bad, message) => {
    let err: unknown;
    try {
      mergeParams(bad, 'p.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).code).toBe('CONFIG_INVALID');
    expect((err as UserError).message).toMatch(message);
    expect((err as UserError).message).not.toContain('\n');
  });
});

describe('the priors table of docs/model.md', () => {
  // generated from PARAM_DOCS; to regenerate after a change: UPDATE_DOCS=1 npx vitest run test/model/params.test.ts
  it('is the table priorsTableMarkdown() gives', () => {
    const file = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'model.md');
    const lines = readFileSync(file, 'utf8').split('\n');
    const start = lines.findIndex((l) => l.startsWith('| parameter | default |'));
    expect(start).toBeGreaterThan(0);
    let end = start;
    while (end < lines.length && lines[end].startsWith('|')) end++;
    const generated = priorsTableMarkdown();
    if (process.env.UPDATE_DOCS === '1') {
      writeFileSync(file, [...lines.slice(0, start), generated, ...lines.slice(end)].join('\n'));
      return;
    }
    expect(lines.slice(start, end).join('\n')).toBe(generated);
  });
});
