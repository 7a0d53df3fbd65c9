import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashFiles, listFilesRel, provenanceHashes, regionFingerprint, sha256Hex } from '../../calibrate/fit/hash.ts';
import { TRUE_RTT_MS, syntheticReport } from './fit-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'fit-hash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('content hashes', () => {
  mkdirSync(join(dir, 'clients/b/x'), { recursive: true });
  mkdirSync(join(dir, 'clients/a/y'), { recursive: true });
  writeFileSync(join(dir, 'clients/b/x/1'), 'second');
  writeFileSync(join(dir, 'clients/a/y/1'), 'first');

  it('lists files relative and sorted', () => {
    expect(listFilesRel(dir)).toEqual(['clients/a/y/1', 'clients/b/x/1']);
  });

  it('hashes the bytes of the files in order of relative path, whatever order they are given in', () => {
    const h = hashFiles('d', dir, ['clients/b/x/1', 'clients/a/y/1']);
    expect(h.sha256).toBe(sha256Hex('firstsecond'));
    expect(h.files.map((f) => f.path)).toEqual(['clients/a/y/1', 'clients/b/x/1']);
    expect(h.files[0].sha256).toBe(sha256Hex('first'));
  });

  it('a subset hashes differently from the whole', () => {
    expect(hashFiles('d', dir, ['clients/a/y/1']).sha256).not.toBe(hashFiles('d', dir, listFilesRel(dir)).sha256);
  });

  it('names an unreadable file in a one-line error', () => {
    expect(() => hashFiles('d', dir, ['nope'])).toThrow(/measured file .*nope cannot be read/);
  });

  it('fingerprints a region by its figures, not by how they are stored', () => {
    const a = syntheticReport(TRUE_RTT_MS);
    const b = JSON.parse(JSON.stringify(a));
    b.kind = 'live';
    expect(regionFingerprint(a, 'us-east-1')).toBe(regionFingerprint(b, 'us-east-1'));
    expect(regionFingerprint(a, 'us-east-1')).not.toBe(regionFingerprint(a, 'us-west-1'));
    expect(regionFingerprint(a, 'eu-central-1')).toBeNull();
  });

  it('finds hashes anywhere in a report provenance', () => {
    const r = syntheticReport(TRUE_RTT_MS);
    const h = sha256Hex('x');
    r.provenance = { inputs: [{ path: 'p', files: [{ sha256: h }] }], tool: 'sim 0.1.0' };
    expect(provenanceHashes(r)).toEqual([h]);
  });
});
