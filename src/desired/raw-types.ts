/**
 * The raw shape of a hermes YAML file, exactly as schema/hermes.schema.json describes it
 * (before canonicalisation into DesiredState). test/desired/schema.test.ts keeps the two in
 * sync: every property of the schema is listed in RAW_KEYS and vice versa, and the compiler
 * checks RAW_KEYS against these interfaces.
 */

export type RawSecret = string | { env: string } | { file: string };

export interface RawDomain {
  domain: string;
  state?: 'present' | 'absent';
  unmanaged?: string[];
}

export interface RawNumberRange {
  start: string;
  end: string;
}

export interface RawNumbers {
  ranges?: RawNumberRange[];
  numbers?: string[];
}

export interface RawUser {
  user: string;
  displayname?: string;
  email?: string;
  linetext?: string;
  dialplan?: string;
  number?: string;
  password?: RawSecret;
  registrar?: string;
  r_port?: number;
  proxy?: string;
  p_port?: number;
  authid?: string;
}

export interface RawAlias {
  alias: string;
  destination: string;
}

export interface RawPhone {
  mac: string;
  users: string[];
}

export interface RawDesiredFile {
  version: 1;
  domains?: RawDomain[];
  numbers?: RawNumbers;
  users?: RawUser[];
  aliases?: RawAlias[];
  phones?: RawPhone[];
}

/** Every key of T, each exactly once: a compile error when one is missing or unknown. */
type Exhaustive<T, K extends readonly (keyof T)[]> = Exclude<keyof T, K[number]> extends never ? K : never;
function keys<T>() {
  return <const K extends readonly (keyof T)[]>(k: Exhaustive<T, K>): K => k;
}

/** The property names of each object in the raw shape, checked against the schema by a test. */
export const RAW_KEYS = {
  root: keys<RawDesiredFile>()(['version', 'domains', 'numbers', 'users', 'aliases', 'phones']),
  domain: keys<RawDomain>()(['domain', 'state', 'unmanaged']),
  numbers: keys<RawNumbers>()(['ranges', 'numbers']),
  numberRange: keys<RawNumberRange>()(['start', 'end']),
  user: keys<RawUser>()(['user', 'displayname', 'email', 'linetext', 'dialplan', 'number', 'password', 'registrar', 'r_port', 'proxy', 'p_port', 'authid']),
  alias: keys<RawAlias>()(['alias', 'destination']),
  phone: keys<RawPhone>()(['mac', 'users']),
  secretEnv: keys<{ env: string }>()(['env']),
  secretFile: keys<{ file: string }>()(['file']),
} as const;
