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
  sip_server?: string;
  transport?: 'udp' | 'tcp' | 'tls';
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

export interface RawFunctionKey {
  type: 'line' | 'blf' | 'speeddial';
  value?: string;
  label?: string;
  line?: number;
}

export interface RawPhoneSettings {
  timezone?: string;
  ntp_server?: string;
  language?: string;
  admin_password?: RawSecret;
  syslog_server?: string;
  vlan?: number;
  register_expires?: number;
  vendor?: Record<string, Record<string, string>>;
}

export interface RawProfile {
  settings?: RawPhoneSettings;
  keys?: RawFunctionKey[];
}

export interface RawProvisioningAuth {
  username: string;
  password: RawSecret;
}

export interface RawProvisioning {
  settings?: RawPhoneSettings;
  profiles?: Record<string, RawProfile>;
  templates?: string;
  auth?: RawProvisioningAuth;
  allow?: string[];
  allow_http?: string[];
}

export interface RawPhone {
  mac: string;
  users: string[];
  model?: string;
  profile?: string;
  settings?: RawPhoneSettings;
  keys?: RawFunctionKey[];
}

export interface RawDesiredFile {
  version: 1;
  domains?: RawDomain[];
  numbers?: RawNumbers;
  users?: RawUser[];
  aliases?: RawAlias[];
  phones?: RawPhone[];
  provisioning?: RawProvisioning;
}

/** Every key of T, each exactly once: a compile error when one is missing or unknown. */
type Exhaustive<T, K extends readonly (keyof T)[]> = Exclude<keyof T, K[number]> extends never ? K : never;
function keys<T>() {
  return <const K extends readonly (keyof T)[]>(k: Exhaustive<T, K>): K => k;
}

/** The property names of each object in the raw shape, checked against the schema by a test. */
export const RAW_KEYS = {
  root: keys<RawDesiredFile>()(['version', 'domains', 'numbers', 'users', 'aliases', 'phones', 'provisioning']),
  domain: keys<RawDomain>()(['domain', 'state', 'unmanaged', 'sip_server', 'transport']),
  numbers: keys<RawNumbers>()(['ranges', 'numbers']),
  numberRange: keys<RawNumberRange>()(['start', 'end']),
  user: keys<RawUser>()(['user', 'displayname', 'email', 'linetext', 'dialplan', 'number', 'password', 'registrar', 'r_port', 'proxy', 'p_port', 'authid']),
  alias: keys<RawAlias>()(['alias', 'destination']),
  phone: keys<RawPhone>()(['mac', 'users', 'model', 'profile', 'settings', 'keys']),
  provisioning: keys<RawProvisioning>()(['settings', 'profiles', 'templates', 'auth', 'allow', 'allow_http']),
  provisioningAuth: keys<RawProvisioningAuth>()(['username', 'password']),
  phoneSettings: keys<RawPhoneSettings>()(['timezone', 'ntp_server', 'language', 'admin_password', 'syslog_server', 'vlan', 'register_expires', 'vendor']),
  profile: keys<RawProfile>()(['settings', 'keys']),
  functionKey: keys<RawFunctionKey>()(['type', 'value', 'label', 'line']),
  secretEnv: keys<{ env: string }>()(['env']),
  secretFile: keys<{ file: string }>()(['file']),
} as const;
