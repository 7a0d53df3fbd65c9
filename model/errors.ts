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
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'UserError';
    this.code = code;
  }
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
