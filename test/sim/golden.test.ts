import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { builtInArchitecture } from '../../model/architecture.ts';
import { mergeParams } from '../../model/params.ts';
import { THESIS_SCENARIO } from '../../model/workload.ts';
import { simulate } from '../../sim/run.ts';

/**
 * Golden runs: fixed-seed scenarios whose report digest (sha256 of the JSON) is checked in.
 * A change that moves a digest changes simulated results and must say why in its commit.
 * To accept new digests after such a change:  UPDATE_GOLDEN=1 npx vitest run test/sim/golden.test.ts
 */
const here = dirname(fileURLToPath(import.meta.url));
const file = join(here, 'golden', 'digests.json');
const update = process.env.UPDATE_GOLDEN === '1';

const CASES = {
  'baseline-2000-blocking': { arch: 'baseline', dbMode: 'blocking' },
  'proposed1-2000-blocking': { arch: 'proposed1', dbMode: 'blocking' },
  'proposed2-2000-batched': { arch: 'proposed2', dbMode: 'batched' },
} as const;

function digest(name: keyof typeof CASES): string {
  const c = CASES[name];
  const arch = { ...builtInArchitecture(c.arch), dbMode: c.dbMode };
  const scenario = { ...THESIS_SCENARIO, users: 2000, rampPerS: 100, durationS: 300 };
  const { report } = simulate({ arch, scenario, params: mergeParams({}, 'golden'), seed: 2015 });
  return createHash('sha256').update(JSON.stringify(report)).digest('hex');
}

describe('golden fixed-seed runs', () => {
  const known: Record<string, string> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const got: Record<string, string> = {};
  for (const name of Object.keys(CASES) as (keyof typeof CASES)[]) {
    it(`${name} report digest is unchanged`, () => {
      got[name] = digest(name);
      if (update) {
        writeFileSync(file, `${JSON.stringify({ ...known, ...got }, null, 2)}\n`);
        return;
      }
      const hint = `the simulated report of ${name} changed. If that is intended, run\n  UPDATE_GOLDEN=1 npx vitest run test/sim/golden.test.ts\nand say in the commit why the results moved.`;
      expect(known[name], hint).toBeDefined();
      expect(got[name], hint).toBe(known[name]);
    });
  }
});
