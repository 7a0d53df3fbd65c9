import { z } from 'zod';
import { UserError, show } from '../model/errors.ts';
import type { Report } from '../model/report.ts';

/**
 * The Report contract (model/report.ts, PRODUCT.md) as a zod schema, so a file that claims to be
 * a Report is checked once at the boundary before any chart is drawn. Unknown extra fields are
 * kept (a newer producer may add some); missing or mistyped known fields are errors.
 */

const num = z.number();
const nullableNum = z.number().nullable();
const count = z.number().int().nonnegative();

const summarySchema = z.looseObject({
  // a number, not necessarily whole: a simulator that samples broadcast fan-out weights its samples
  count: num.nonnegative(),
  min: nullableNum, mean: nullableNum, stddev: nullableNum, median: nullableNum,
  p50: nullableNum, p66: nullableNum, p75: nullableNum, p80: nullableNum, p90: nullableNum,
  p95: nullableNum, p98: nullableNum, p99: nullableNum, max: nullableNum,
});

const minAvgMaxSchema = z.looseObject({ min: nullableNum, avg: nullableNum, max: nullableNum });

// users and counts are numbers, not necessarily whole: a Report of replications holds their means
const regionResultSchema = z.looseObject({
  connected: num.nonnegative(),
  failed: num.nonnegative(),
  handshake: summarySchema,
  request: summarySchema,
  broadcast: summarySchema,
});

const nullableCount = num.nonnegative().nullable();

/** zod schema of a Report; `validateReport` turns its first problem into one line. */
export const reportSchema = z.looseObject({
  kind: z.enum(['sim', 'live', 'import']),
  arch: z.string().min(1),
  users: count,
  seed: z.number().int().nullable(),
  durationS: num.nonnegative(),
  params: z.record(z.string(), z.unknown()).nullable(),
  regions: z.record(z.string(), regionResultSchema),
  global: regionResultSchema,
  counts: z.looseObject({
    handledRequests: nullableCount, redisHits: nullableCount, redisMisses: nullableCount,
    mysqlQueries: nullableCount, broadcasts: nullableCount,
  }),
  resources: z.looseObject({
    instances: z.array(z.looseObject({
      name: z.string(), region: z.string(), type: z.string(), cores: num.nonnegative(),
      cpu: minAvgMaxSchema, memory: minAvgMaxSchema, disk: minAvgMaxSchema,
    })),
    perMinute: z.array(z.looseObject({ t: num, cpu: nullableNum, memory: nullableNum, disk: nullableNum })),
  }).nullable(),
  network: z.looseObject({
    inBytes: nullableNum, outBytes: nullableNum,
    perMinute: z.array(z.looseObject({ t: num, inBytes: nullableNum, outBytes: nullableNum })),
  }).nullable(),
  cost: z.looseObject({ hourly: z.record(z.string(), num), totalHourly: num }).nullable(),
  meters: z.looseObject({
    crum: minAvgMaxSchema.nullable(), spm: minAvgMaxSchema.nullable(), slm: nullableNum,
    sec: minAvgMaxSchema.nullable(), ess: nullableNum, esr: nullableNum,
  }).nullable(),
  notes: z.array(z.string()).optional(),
  provenance: z.record(z.string(), z.unknown()).optional(),
  extra: z.record(z.string(), z.unknown()).optional(),
});

/** `regions.eu-west-1.request.mean`, `resources.instances[0].cores` */
export function fieldPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

function ruleOf(issue: z.core.$ZodIssue, value: unknown): string {
  if (value === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value')) return 'is missing';
  switch (issue.code) {
    case 'invalid_type': {
      const expected = issue.expected === 'int' ? 'integer' : issue.expected === 'record' ? 'object' : issue.expected;
      return `must be ${/^[aeiou]/.test(expected) ? 'an' : 'a'} ${expected}`;
    }
    case 'invalid_value': return `must be one of ${issue.values.map((v) => String(v)).join(', ')}`;
    case 'too_small': return issue.origin === 'string' ? 'must not be empty' : `must be >= ${String(issue.minimum)}`;
    case 'too_big': return `must be <= ${String(issue.maximum)}`;
    default: return issue.message;
  }
}

/**
 * Checks that `data` is a Report.
 * @param file the file it came from, named in the error
 * @throws UserError REPORT_INVALID: `b.json is not a valid Report: regions.eu-west-1.request.mean must be a number (got "slow")`
 */
export function validateReport(data: unknown, file: string): Report {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new UserError('REPORT_INVALID', `${file} is not a Report: expected a JSON object with kind, arch, regions, ... (got ${show(data)})`);
  }
  const result = reportSchema.safeParse(data);
  if (result.success) return data as Report;
  const issue = result.error.issues[0];
  const value = valueAt(data, issue.path);
  const got = value === undefined ? '' : ` (got ${show(value)})`;
  throw new UserError('REPORT_INVALID', `${file} is not a valid Report: ${fieldPath(issue.path)} ${ruleOf(issue, value)}${got}`);
}
