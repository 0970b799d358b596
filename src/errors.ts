/**
 * The one catalogue of hermes' error codes. Every failure the CLI prints or the API sends
 * as an error is one of these: a stable code, a message, the CLI exit code and the HTTP
 * status. docs/errors.md documents each code; test/errors.test.ts keeps the two in sync.
 *
 * Messages are written for an operator: what is wrong, and where possible how to fix it.
 * They never contain secrets (passwords, tokens, database passwords).
 */

export interface ErrorDefinition {
  /** One-line summary, used in docs/errors.md. */
  readonly summary: string;
  /** Exit code of the CLI when this error ends a command. */
  readonly exitCode: number;
  /** HTTP status when this error ends an API request. */
  readonly httpStatus: number;
}

export const errorCatalogue = {
  // --- database connection and schema -------------------------------------------------
  DB_URL_INVALID: {
    summary: 'A database URL is malformed or uses an unsupported scheme.',
    exitCode: 1,
    httpStatus: 500,
  },
  DB_UNREACHABLE: {
    summary: 'The database server cannot be reached (refused, unknown host, timeout).',
    exitCode: 1,
    httpStatus: 500,
  },
  DB_AUTH_FAILED: {
    summary: 'The database server refused the user name or password in the URL.',
    exitCode: 1,
    httpStatus: 500,
  },
  DB_NOT_FOUND: {
    summary: 'The database named in the URL (or the SQLite file) does not exist.',
    exitCode: 1,
    httpStatus: 500,
  },
  DB_TABLE_MISSING: {
    summary: 'A Kamailio or provisioning table hermes needs is missing.',
    exitCode: 1,
    httpStatus: 500,
  },
  DB_VERSION_MISMATCH: {
    summary: "A Kamailio table's `version` row differs from the version hermes supports.",
    exitCode: 1,
    httpStatus: 500,
  },
  DB_PROVISIONING_OUTDATED: {
    summary: 'The provisioning schema is older than this hermes; run `hermes init`.',
    exitCode: 1,
    httpStatus: 500,
  },
  DB_PROVISIONING_NEWER: {
    summary: 'The provisioning schema was written by a newer hermes than this one.',
    exitCode: 1,
    httpStatus: 500,
  },
  DB_QUERY_FAILED: {
    summary: 'The database rejected a query (details are logged, not sent to API clients).',
    exitCode: 1,
    httpStatus: 500,
  },
  // --- command line ------------------------------------------------------------------------
  USAGE: {
    summary: 'A command-line argument or option is missing or invalid.',
    exitCode: 1,
    httpStatus: 400,
  },
  FILE_UNREADABLE: {
    summary: 'A file named on the command line cannot be read.',
    exitCode: 1,
    httpStatus: 500,
  },
  // --- plan and apply ------------------------------------------------------------------------
  PLAN_INVALID: {
    summary: 'The desired state cannot be planned (e.g. a new remote user without a password).',
    exitCode: 1,
    httpStatus: 400,
  },
  PLAN_STALE: {
    summary: 'A saved plan no longer matches the database or its YAML files; plan again.',
    exitCode: 1,
    httpStatus: 409,
  },
  APPLY_NOT_APPROVED: {
    summary: 'apply was not confirmed (no TTY without --auto-approve, or the answer was not yes).',
    exitCode: 1,
    httpStatus: 400,
  },
  APPLY_UNSAFE: {
    summary: 'The safety brake refused a plan that changes too much; review it and use --force.',
    exitCode: 1,
    httpStatus: 400,
  },
  APPLY_LOCKED: {
    summary: 'Another apply holds the apply lock (its holder is named).',
    exitCode: 1,
    httpStatus: 409,
  },
  APPLY_FAILED: {
    summary: 'A change failed during apply; everything was rolled back (the change is named).',
    exitCode: 1,
    httpStatus: 500,
  },
  DB_PARTIAL_COMMIT: {
    summary: 'With two databases, the Kamailio one committed and the provisioning one failed to; run the same command again to complete it.',
    exitCode: 1,
    httpStatus: 500,
  },
  KAMAILIO_RELOAD_FAILED: {
    summary: "Kamailio's domain.reload over JSON-RPC failed after apply; the data stays applied.",
    exitCode: 1,
    httpStatus: 502,
  },
  INTERNAL: {
    summary: 'An unexpected internal error; run again with --debug for the stack trace.',
    exitCode: 1,
    httpStatus: 500,
  },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof errorCatalogue;

/** An error from the catalogue. `message` is the operator-facing line. */
export class HermesError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  readonly httpStatus: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HermesError';
    this.code = code;
    this.exitCode = errorCatalogue[code].exitCode;
    this.httpStatus = errorCatalogue[code].httpStatus;
  }
}

export function isHermesError(value: unknown): value is HermesError {
  return value instanceof HermesError;
}
