/**
 * The desired state after loading and validation: what the YAML declares, canonicalised
 * (lowercase domains and MACs, secrets resolved). Produced by src/desired (loadDesiredState),
 * consumed by the pure planner in src/reconcile. A top-level section that the YAML leaves out
 * is `undefined` here and leaves that part of the platform alone; present (even empty) it is
 * managed in full.
 */

import type { KeySource, Profile, Settings, TemplateSource, Transport } from '../provisioning/index.js';

/**
 * Where something was declared, for messages that point back into the YAML: exact from the
 * moment the state is loaded (the parser records positions in the same pass). `line` is 0
 * only for a whole-file problem.
 */
export interface SourceLocation {
  file: string;
  /** 1-based; 0 for a whole-file problem. */
  line: number;
  /** 1-based; 0 with line 0. */
  column: number;
  /** e.g. users[3].number */
  path: string;
}

export interface DesiredDomain {
  /** Lowercase domain name. */
  domain: string;
  /** 'absent' removes the domain with every subscriber and alias in it. */
  state: 'present' | 'absent';
  /** Usernames and alias usernames matching these globs (* and ?) are left alone. */
  unmanaged: string[];
  /** Where phones send local users' requests, "host[:port]" (default: the domain, 5060). */
  sip_server?: string;
  /** Transport towards sip_server (default udp). */
  transport?: Transport;
  at?: SourceLocation;
}

export interface DesiredNumberRange {
  /** E.164, '+' then digits; start <= end, same length. */
  start: string;
  end: string;
}

export interface DesiredNumbers {
  ranges: DesiredNumberRange[];
  numbers: string[];
  at?: SourceLocation;
}

export type UserKind = 'local' | 'remote';

export interface DesiredUser {
  username: string;
  /** Lowercase. */
  domain: string;
  /** username@domain */
  address: string;
  /** local: its domain is listed under `domains`; remote otherwise. */
  kind: UserKind;
  displayname: string;
  email: string;
  linetext: string;
  dialplan: string;
  /** The user's E.164 alias (in the user's domain), taken from the pool. */
  number?: string;
  /**
   * The resolved secret (from env, file or a plain string). Undefined: keep the stored
   * password (a new local user gets a generated one). Never printed.
   */
  password?: string;
  /** Remote users only. */
  registrar?: string;
  r_port?: number;
  proxy?: string;
  p_port?: number;
  authid?: string;
  at?: SourceLocation;
}

export interface DesiredAlias {
  alias_username: string;
  /** Lowercase; a listed domain. */
  alias_domain: string;
  /** Destination. */
  username: string;
  domain: string;
  at?: SourceLocation;
}

export interface DesiredPhone {
  /** 12 lowercase hex digits. */
  mac: string;
  /** Line order: lines[0] is line 1. Addresses (username@domain) of declared users. */
  lines: string[];
  /** A supported model id (src/provisioning/models.ts); undefined: not provisioned. */
  model?: string;
  profile?: string;
  /** The phone's own settings (secrets resolved). */
  settings?: Settings;
  /** The phone's own keys; undefined: its profile's. */
  keys?: KeySource[];
  at?: SourceLocation;
}

/** The `provisioning` section (secrets resolved). */
export interface DesiredProvisioning {
  settings: Settings;
  profiles: Record<string, Profile>;
  /** Operator template overrides read from the `templates` folder (empty when none). */
  templates: TemplateSource[];
  /** The folder as written in the YAML, for export. */
  templatesDir?: string;
  /** Credentials of the provisioning server; password undefined when unresolved. */
  auth?: { username: string; password?: string };
  /** provisioning.allow: the clients that may fetch files (CIDRs); undefined: any. */
  allow?: string[];
  /** provisioning.allow_http: clients that may fetch credential files over plain HTTP. */
  allow_http?: string[];
  at?: SourceLocation;
}

export interface DesiredState {
  version: 1;
  domains?: DesiredDomain[];
  numbers?: DesiredNumbers;
  users?: DesiredUser[];
  aliases?: DesiredAlias[];
  phones?: DesiredPhone[];
  provisioning?: DesiredProvisioning;
  /** The files the state was read from. */
  files: string[];
}
