/**
 * Errors with a stable code, one class per boundary. The CLI maps them to exit codes and
 * one-line messages; library code never calls `process.exit`.
 *
 * Codes (documented here, asserted by tests):
 * - CONFIG_INVALID      a user-supplied value breaks a rule (CLI flag, architecture, params file)
 * - CONFIG_UNKNOWN      a name that is not known (architecture, region mix, parameter)
 * - FILE_UNREADABLE     a file the user named cannot be read or parsed
 * - IMPORT_MALFORMED    a measured-data file has content the importer cannot read
 * - REPORT_INVALID      a file that should be a Report is not one
 * - LIVE_SERVICE        a real service (Redis, MySQL) is missing or unreachable
 * - LIVE_PROTOCOL       a client sent something the live server rejects
 * - CALIBRATION_OVERLAP calibration and validation data overlap
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_UNKNOWN'
  | 'FILE_UNREADABLE'
  | 'IMPORT_MALFORMED'
  | 'REPORT_INVALID'
  | 'LIVE_SERVICE'
  | 'LIVE_PROTOCOL'
  | 'CALIBRATION_OVERLAP';

/** A mistake in what the user gave us: exits with code 2 and one line, never a stack trace. */
export class UserError extends Error {
  readonly code: ErrorCode;
  /** every problem found, each naming the field, the value and the rule (one for most errors) */
  readonly problems: readonly string[];
  constructor(code: ErrorCode, message: string, problems: readonly string[] = [message]) {
    super(message);
    this.name = 'UserError';
    this.code = code;
    this.problems = problems;
  }
}

/**
 * All the problems of one input as one error, so a user fixes a file in one pass:
 * `servers[0].count must be ... (got -1) in my.json` for one,
 * `my.json has 2 problems: servers[0].count must be ... (got -1); dbMode must be ... (got "x")` for more.
 */
export function problemsError(where: string, problems: readonly string[], code: ErrorCode = 'CONFIG_INVALID'): UserError {
  if (problems.length === 1) return new UserError(code, `${problems[0]} in ${where}`, problems);
  return new UserError(code, `${where} has ${problems.length} problems: ${problems.join('; ')}`, problems);
}

/** The problems an error stands for, without its `in <where>` (to merge them with others). */
export function problemsOf(err: unknown, where: string): string[] {
  if (!(err instanceof UserError)) throw err;
  const suffix = ` in ${where}`;
  return err.problems.map((p) => (p.endsWith(suffix) ? p.slice(0, -suffix.length) : p));
}

/** `users must be a positive integer (got -5) at workload.users` */
export function invalid(field: string, value: unknown, rule: string): UserError {
  return new UserError('CONFIG_INVALID', `${field} ${rule} (got ${show(value)})`);
}

export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'nothing';
  try {
    const s = JSON.stringify(value);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(value);
  }
}
