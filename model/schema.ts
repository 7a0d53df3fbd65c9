import type { ZodType } from 'zod';
import { UserError, show } from './errors.ts';

/**
 * Validates user data at the boundary with a zod schema and turns the first problem into one
 * line naming the field, the value and the rule:
 * `servers[0].count must be a positive integer (got -1) at proposed1.json`.
 */
export function parseWith<T>(schema: ZodType<T>, data: unknown, where: string): T {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue.path.length ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : '(top level)';
  const value = issue.path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k as string] : undefined), data);
  throw new UserError('CONFIG_INVALID', `${path} ${issue.message} (got ${show(value)}) in ${where}`);
}
