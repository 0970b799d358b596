/**
 * The one catalogue of hermes' error codes. Every failure the CLI prints or the API sends
 * as an error is one of these: a stable code, a message, the CLI exit code, the HTTP status
 * and, for what the node API answers, its envelope (`response` and `cause`; a cause left out
 * is the name of the bad parameter). docs/errors.md and docs/api.md's causes table are
 * generated from it (npm run docs:errors); test/errors.test.ts keeps them in sync.
 *
 * Exit codes: 1 an error, 2 changes present (only `hermes plan --detailed-exitcode`, not an
 * error), 3 refused by the safety brake, a stale plan or a saved plan's changed secret, 4 the
 * apply lock is held.
 *
 * Messages are written for an operator: what is wrong, and where possible how to fix it.
 * They never contain secrets (passwords, tokens, database passwords).
 */

export type FailureResponse = 'invalid' | 'failed' | 'error';

export interface ErrorDefinition {
  /** One-line summary, used in docs/errors.md. */
  readonly summary: string;
  /** Exit code of the CLI when this error ends a command. */
  readonly exitCode: number;
  /** HTTP status when this error ends an API request. */
  readonly httpStatus: number;
  /** The node API's envelope for this error; without `cause`, the cause is the bad parameter's name. */
  readonly envelope?: { readonly response: FailureResponse; readonly cause?: string };
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
  DB_NOT_A_DATABASE: {
    summary: 'The SQLite file named in the URL is not a database (check the path).',
    exitCode: 1,
    httpStatus: 500,
  },
  DB_CORRUPT: {
    summary: 'The SQLite database file is corrupt; restore it from a backup.',
    exitCode: 1,
    httpStatus: 500,
  },
  DB_READ_ONLY: {
    summary: 'The SQLite database file (or its folder) is read-only, and the command writes.',
    exitCode: 1,
    httpStatus: 500,
  },
  DB_TABLE_MISSING: {
    summary: 'A Kamailio or provisioning table hermes needs is missing (`hermes init` recreates provisioning tables).',
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
    envelope: { response: 'error', cause: 'dbfail' },
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
  FILE_UNWRITABLE: {
    summary: 'A file hermes was asked to write (export --out, plan --out) cannot be written.',
    exitCode: 1,
    httpStatus: 500,
  },
  OUTPUT_FAILED: {
    summary: 'Standard output failed before a plan, an export or the audit log was written in full (e.g. its reader went away, as with `| head`); an apply stops before changing anything.',
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
    exitCode: 3,
    httpStatus: 409,
  },
  PLAN_SECRET_CHANGED: {
    summary: 'A secret a saved plan writes is not the one reviewed (its pin differs); the message names the user or item and field, never the value. Plan again.',
    exitCode: 3,
    httpStatus: 409,
  },
  APPLY_NOT_APPROVED: {
    summary: 'apply was not confirmed (no TTY without --auto-approve, an answer other than yes, Ctrl-C).',
    exitCode: 1,
    httpStatus: 400,
  },
  APPLY_UNSAFE: {
    summary: 'The safety brake refused a plan that changes too much; review it and use --force.',
    exitCode: 3,
    httpStatus: 400,
  },
  APPLY_LOCKED: {
    summary: 'Another apply holds the apply lock (its holder is named).',
    exitCode: 4,
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
  KAMAILIO_NOTIFY_FAILED: {
    summary: "apply --notify-phones could not reach Kamailio's JSON-RPC (ul.lookup, tm.t_uac_start) after apply; the data stays applied.",
    exitCode: 1,
    httpStatus: 502,
  },
  // --- node API: the envelope causes (the seed's keywords and spellings) -----------------
  API_INVALID_PARAMETER: {
    summary: 'A node parameter is missing, repeated or invalid; the cause names the parameter.',
    exitCode: 1,
    httpStatus: 400,
    envelope: { response: 'invalid' },
  },
  API_UNKNOWN_NODE: {
    summary: 'There is no such node (or path).',
    exitCode: 1,
    httpStatus: 404,
    envelope: { response: 'invalid', cause: 'node' },
  },
  API_BODY_INVALID: {
    summary: 'The request body is not a form or a JSON object (an array, malformed or duplicate keys).',
    exitCode: 1,
    httpStatus: 400,
    envelope: { response: 'invalid', cause: 'body' },
  },
  API_METHOD_NOT_ALLOWED: {
    summary: 'A node was called with a method other than GET or POST (the Allow header names them); nothing ran.',
    exitCode: 1,
    httpStatus: 405,
    envelope: { response: 'invalid', cause: 'method' },
  },
  API_BODY_TOO_LARGE: {
    summary: 'The request body is larger than the server accepts (64 KiB).',
    exitCode: 1,
    httpStatus: 413,
    envelope: { response: 'invalid', cause: 'body' },
  },
  API_BODY_UNSUPPORTED: {
    summary: 'The request body has a content type other than a form or JSON.',
    exitCode: 1,
    httpStatus: 415,
    envelope: { response: 'invalid', cause: 'body' },
  },
  API_UNAUTHENTICATED: {
    summary: 'No token, or an unknown or revoked one.',
    exitCode: 1,
    httpStatus: 401,
    envelope: { response: 'failed', cause: 'unauthenticated' },
  },
  API_FORBIDDEN: {
    summary: "The token's scope does not allow the call: a read token and a node that changes data, a metrics token and any node.",
    exitCode: 1,
    httpStatus: 403,
    envelope: { response: 'failed', cause: 'forbidden' },
  },
  API_READ_ONLY: {
    summary: 'A node that changes data was called on a server started with --read-only.',
    exitCode: 1,
    httpStatus: 409,
    envelope: { response: 'failed', cause: 'readonly' },
  },
  NONEXISTANT: {
    summary: "The object does not exist (the seed's spelling, kept for its clients).",
    exitCode: 1,
    httpStatus: 404,
    envelope: { response: 'failed', cause: 'nonexistant' },
  },
  EXISTS: {
    summary: 'The object exists already.',
    exitCode: 1,
    httpStatus: 409,
    envelope: { response: 'failed', cause: 'exists' },
  },
  IN_USE: {
    summary: 'The object is in use (phones on a user, a number held by an alias).',
    exitCode: 1,
    httpStatus: 409,
    envelope: { response: 'failed', cause: 'inuse' },
  },
  NXDOMAIN: {
    summary: 'The domain is not one this platform serves.',
    exitCode: 1,
    httpStatus: 409,
    envelope: { response: 'failed', cause: 'nxdomain' },
  },
  INTERNAL: {
    summary: 'An unexpected internal error; run again with --debug for the stack trace.',
    exitCode: 1,
    httpStatus: 500,
    envelope: { response: 'error', cause: 'internal' },
  },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof errorCatalogue;

type Catalogue = typeof errorCatalogue;
/** The envelope causes of one response kind, as the catalogue lists them. */
export type CauseOf<R extends FailureResponse> = {
  [C in ErrorCode]: Catalogue[C] extends { envelope: { response: R; cause: infer K extends string } } ? K : never;
}[ErrorCode];

/**
 * The HTTP status of an envelope's response and cause: the first code of the catalogue with
 * that envelope; any other `invalid` cause is a parameter's name (400).
 */
export function httpStatusOfCause(response: FailureResponse, cause: string): number {
  for (const definition of Object.values(errorCatalogue) as ErrorDefinition[]) {
    if (definition.envelope?.response === response && definition.envelope.cause === cause) return definition.httpStatus;
  }
  return response === 'invalid' ? errorCatalogue.API_INVALID_PARAMETER.httpStatus : errorCatalogue.INTERNAL.httpStatus;
}

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

/**
 * The node API's envelope for a catalogued error: the code's own envelope, else `error` with
 * cause `dbfail` for database conditions and `internal` for the rest. The detail is the
 * message for a client's mistake (4xx); for a server's failure it is the code's summary,
 * never the message (which may quote a driver).
 */
export function envelopeOfError(error: HermesError): { response: FailureResponse; cause: string; detail: string } {
  const definition: ErrorDefinition = errorCatalogue[error.code];
  const fallback = error.code.startsWith('DB_') ? 'dbfail' : 'internal';
  const detail = error.httpStatus < 500 ? error.message : definition.summary;
  return { response: definition.envelope?.response ?? 'error', cause: definition.envelope?.cause ?? fallback, detail };
}
