/**
 * Diagnostics of the desired-state loader: every problem in the YAML (syntax, schema,
 * semantics, secrets) with a stable code, the file, 1-based line and column of the offending
 * node, its path (users[3].number), and a message that says what is wrong and what is
 * allowed. docs/desired-state.md documents every code (test/desired/docs.test.ts checks it).
 */

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  code: DiagnosticCode;
  file: string;
  /** 1-based; 0 when the problem is with the file as a whole (e.g. it does not exist). */
  line: number;
  /** 1-based; 0 with line 0. */
  column: number;
  /** e.g. users[3].number; '' for the whole document. */
  path: string;
  message: string;
}

/** Every diagnostic code with a one-line summary (the table in docs/desired-state.md). */
export const DIAGNOSTIC_CODES = {
  HERMES_FILE_NOT_FOUND: 'A file or directory given on the command line does not exist or cannot be read.',
  HERMES_FILE_LOOP: 'A symbolic link in a directory leads back to itself or to a directory that holds it (a loop).',
  HERMES_NO_FILES: 'A directory holds no *.yaml or *.yml file.',
  HERMES_FILE_ENCODING: 'A file is not UTF-8 (the position of its first byte that is not); a byte order mark is fine.',
  HERMES_YAML_SYNTAX: 'The file is not well-formed YAML (bad indentation, unclosed quote, duplicate key, ...).',
  HERMES_YAML_MULTIPLE_DOCUMENTS: 'A file holds several YAML documents (separated by ---): hermes reads one document per file.',
  HERMES_YAML_ANCHOR: "An anchor (&name), alias (*name) or merge key: hermes' format does not use them; write the values out.",
  HERMES_YAML_COMPLEX_KEY: "A mapping key that is a list or a mapping, or an explicit key (? key): hermes' format uses only plain keys.",
  HERMES_YAML_WARNING: "A tag (!name) or something else YAML allows but hermes' format does not use: ignored, the value is read as written.",
  HERMES_SCHEMA: 'The document does not match schema/hermes.schema.json: an unknown or missing property, a wrong type, a value not allowed.',
  HERMES_INVALID_ADDRESS: 'Not a SIP address username@domain (RFC 3261 user part, DNS domain).',
  HERMES_INVALID_DOMAIN: 'Not a DNS domain name (for registrar and proxy: a host name, an IPv4 address or an IPv6 address in brackets).',
  HERMES_TOO_LONG: "A value is longer than its column: a username or domain (Kamailio's 64 characters), a user's displayname, email, dialplan or linetext (src/model/fields.ts).",
  HERMES_INVALID_FIELD: "A user's field holds what apply would refuse: a control character, an e-mail address that is not one, an authid that is not a SIP user name, a password that is not 1 to 64 printable ASCII characters.",
  HERMES_INVALID_E164: "Not an E.164 number: '+' then 1 to 15 digits, no leading zero.",
  HERMES_INVALID_MAC: 'Not a MAC address: 12 hex digits, plain or colon- or dash-separated.',
  HERMES_DUPLICATE_DOMAIN: 'A domain is listed twice (possibly in two files).',
  HERMES_DUPLICATE_USER: 'A user is declared twice (addresses are compared ignoring ASCII case on every engine).',
  HERMES_DUPLICATE_ALIAS: 'An alias is declared twice.',
  HERMES_DUPLICATE_PHONE: 'A MAC is declared twice (in any spelling).',
  HERMES_DUPLICATE_NUMBER: 'A number is in the pool twice: listed twice, inside a range, or in two overlapping ranges.',
  HERMES_RANGE_INVERTED: 'A number range does not end after it starts (a single number goes under numbers.numbers).',
  HERMES_RANGE_LENGTH_MISMATCH: 'A number range starts and ends with numbers of different lengths.',
  HERMES_RANGE_TOO_LARGE: 'A number range holds more than 1,000,000 numbers.',
  HERMES_NUMBER_NOT_IN_POOL: "A user's number or an E.164 alias is not in the pool declared under `numbers`.",
  HERMES_NUMBER_IN_USE: 'A number is used twice: by two users, or by a user and an alias.',
  HERMES_MULTIPLE_E164_ALIASES: "A destination has more than one E.164 alias (a user's `number` counts as one).",
  HERMES_ALIAS_DOMAIN_NOT_LISTED: "An alias (or a user's number) is in a domain that is not listed under `domains`.",
  HERMES_ALIAS_UNDECLARED_DESTINATION: 'An alias routes to an address in a listed domain that is not a declared user.',
  HERMES_ALIAS_IS_USER: "An alias is the address of a declared user.",
  HERMES_IN_ABSENT_DOMAIN: 'A user or alias is declared in a domain with `state: absent`.',
  HERMES_UNMANAGED_CONFLICT: "A declared user or alias matches one of its domain's `unmanaged` globs.",
  HERMES_REMOTE_WITHOUT_REGISTRAR: 'A remote user (its domain is not listed) has no `registrar`.',
  HERMES_LOCAL_WITH_REMOTE_FIELDS: 'A user in a listed domain (a local user) has remote-only fields: registrar, r_port, proxy, p_port, authid.',
  HERMES_PHONE_LINE_UNDECLARED: "A phone's line is not a declared user.",
  HERMES_PHONE_DUPLICATE_LINE: 'A user is on the same phone twice.',
  HERMES_INVALID_SIP_SERVER: "A domain's `sip_server` is not host[:port].",
  HERMES_DUPLICATE_PROVISIONING: 'The `provisioning` section is in more than one file.',
  HERMES_PHONE_UNKNOWN_MODEL: "A phone's `model` is not a supported model (docs/provisioning.md).",
  HERMES_PHONE_NOT_PROVISIONED: 'A phone has a profile, settings or keys but no `model`.',
  HERMES_PHONE_UNKNOWN_PROFILE: "A phone's `profile` is not under `provisioning.profiles`.",
  HERMES_PHONE_CAPACITY: 'A phone has more lines or function keys than its model has.',
  HERMES_INVALID_KEY: "A function key its phone's vendor cannot express, without a value, or on a line the phone does not have.",
  HERMES_BLF_TARGET_UNDECLARED: 'A BLF key watches an address that is not a declared user or alias.',
  HERMES_INVALID_SETTING: 'A phone setting is invalid: an unknown time zone or language, a bad host, VLAN or raw vendor key.',
  HERMES_INVALID_CIDR: 'An entry of `provisioning.allow` or `allow_http` is not an IPv4 or IPv6 address or CIDR (10.20.0.0/16, 2001:db8::/32).',
  HERMES_TEMPLATE: 'A template override does not parse, is not a known template, or tries to read files (reported at its own file and line).',
  HERMES_PLAINTEXT_SECRET: 'A password is written in plain text in the YAML (a warning): use { env: NAME } or { file: PATH }.',
  HERMES_SECRET_ENV_UNSET: 'The environment variable named by { env: NAME } is not set (an error for plan/apply and validate --secrets, a warning otherwise).',
  HERMES_SECRET_FILE_UNREADABLE: 'The file named by { file: PATH } cannot be read (an error for plan/apply and validate --secrets, a warning otherwise).',
  HERMES_MORE_DIAGNOSTICS: 'More problems than are shown (the first 100): how many more errors and warnings there are, and where the first of them is.',
  HERMES_SECRET_EMPTY: 'A secret resolves to an empty string (same severity as an unresolvable secret).',
} as const satisfies Record<string, string>;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

/** `file:line:col: error CODE: message (path)`; without line and column when they are 0. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.column}` : d.file;
  return `${where}: ${d.severity} ${d.code}: ${d.message}${d.path ? ` (${d.path})` : ''}`;
}

/** Orders diagnostics by file (in the given order), then line, then column. */
export function sortDiagnostics(diagnostics: Diagnostic[], files: string[]): Diagnostic[] {
  const order = new Map(files.map((f, i) => [f, i]));
  return diagnostics
    .map((d, i) => ({ d, i }))
    .sort((a, b) => (order.get(a.d.file) ?? -1) - (order.get(b.d.file) ?? -1) || a.d.line - b.d.line || a.d.column - b.d.column || a.i - b.i)
    .map(({ d }) => d);
}
