import type { ZodType } from 'zod';
import { problemsError, show } from './errors.ts';

/**
 * Validates user data at the boundary with a zod schema and turns every problem into a phrase
 * naming the field, the value and the rule, all in one error:
 * `servers[0].count must be a positive integer (got -1) in proposed1.json`.
 */
export function parseWith<T>(schema: ZodType<T>, data: unknown, where: string): T {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  throw problemsError(where, schemaProblems(result.error.issues, data));
}

interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
  /** for a bad key of a record: why the key is bad */
  issues?: Array<{ message: string }>;
}

/** One phrase per zod issue: `<path> <rule> (got <value>)`. */
export function schemaProblems(issues: readonly Issue[], data: unknown, prefix = ''): string[] {
  return issues.map((issue) => {
    const at = pathText(issue.path, prefix);
    if (issue.code === 'unrecognized_keys' && issue.keys) {
      const keys = issue.keys.map((k) => JSON.stringify(k)).join(', ');
      return `${at === '(top level)' ? '' : `${at}: `}unknown ${issue.keys.length === 1 ? 'key' : 'keys'} ${keys}`;
    }
    if (issue.code === 'invalid_key') {
      // a bad key of a record: the rule is the key's, the value the key itself
      const key = issue.path[issue.path.length - 1];
      const parent = pathText(issue.path.slice(0, -1), prefix);
      return `${parent === '(top level)' ? 'key' : `${parent} key`} ${issue.issues?.[0]?.message ?? issue.message} (got ${show(key)})`;
    }
    const value = issue.path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k as string] : undefined), data);
    return `${at} ${issue.message} (got ${show(value)})`;
  });
}

function pathText(path: readonly PropertyKey[], prefix: string): string {
  const text = path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  const full = `${prefix}${text}`.replace(/^\./, '');
  return full || '(top level)';
}
