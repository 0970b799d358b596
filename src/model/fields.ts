/**
 * Each resource kind's fields, once: their name (in the YAML, the API and the plan), the column
 * that stores them, whether local or only remote users have them, their default, and their
 * maximum length (Kamailio's columns are VARCHAR(64); hermes_users' sizes are in
 * src/db/migrations.ts). desired, reconcile, ops and nodes-api read these tables.
 */
import { isIP } from 'node:net';
import { isUsername, MAX_DOMAIN_LENGTH, MAX_USERNAME_LENGTH } from './address.js';

export type FieldType = 'text' | 'email' | 'host' | 'port' | 'username';

export interface FieldSpec<N extends string = string> {
  /** The name in the YAML, the API parameters, the plan and the stored row's column. */
  readonly name: N;
  readonly column: string;
  /** 'all': local and remote users have it; 'remote': only remote users. */
  readonly scope: 'all' | 'remote';
  readonly type: FieldType;
  /** The stored value when none is given. */
  readonly default: string | null;
  /** Maximum length in characters (text columns). */
  readonly maxLength?: number;
}

/** The user's fields beyond its address, kind and password (hermes_users). */
export const USER_FIELDS = [
  { name: 'displayname', column: 'displayname', scope: 'all', type: 'text', default: '', maxLength: 128 },
  { name: 'email', column: 'email', scope: 'all', type: 'email', default: '', maxLength: 128 },
  { name: 'dialplan', column: 'dialplan', scope: 'all', type: 'text', default: '', maxLength: 128 },
  { name: 'linetext', column: 'linetext', scope: 'all', type: 'text', default: '', maxLength: 64 },
  { name: 'registrar', column: 'registrar', scope: 'remote', type: 'host', default: null, maxLength: 128 },
  { name: 'r_port', column: 'r_port', scope: 'remote', type: 'port', default: null },
  { name: 'proxy', column: 'proxy', scope: 'remote', type: 'host', default: null, maxLength: 128 },
  { name: 'p_port', column: 'p_port', scope: 'remote', type: 'port', default: null },
  { name: 'authid', column: 'authid', scope: 'remote', type: 'username', default: null, maxLength: MAX_USERNAME_LENGTH },
] as const satisfies readonly FieldSpec[];

export type UserFieldName = (typeof USER_FIELDS)[number]['name'];
type Spec<N extends UserFieldName> = Extract<(typeof USER_FIELDS)[number], { name: N }>;
/** Fields that every user has (strings, '' by default). */
export type CommonUserField = Extract<(typeof USER_FIELDS)[number], { scope: 'all' }>['name'];
/** Fields only remote users have (null by default). */
export type RemoteUserField = Extract<(typeof USER_FIELDS)[number], { scope: 'remote' }>['name'];
/** The stored value of each field. */
export type UserFields = { [N in CommonUserField]: string } & { [N in RemoteUserField]: Spec<N>['type'] extends 'port' ? number | null : string | null };

/** The names of the fields local users have, in table order. */
export const LOCAL_USER_FIELD_NAMES: readonly CommonUserField[] = USER_FIELDS.filter((f) => f.scope === 'all').map((f) => f.name as CommonUserField);
/** The names of the fields remote users have (every field), in table order. */
export const REMOTE_USER_FIELD_NAMES: readonly UserFieldName[] = USER_FIELDS.map((f) => f.name);
/** The names of the fields only remote users have. */
export const REMOTE_ONLY_FIELD_NAMES: readonly RemoteUserField[] = USER_FIELDS.filter((f) => f.scope === 'remote').map((f) => f.name as RemoteUserField);

/** The field names a user of this kind has. */
export function userFieldNames(kind: 'local' | 'remote'): readonly UserFieldName[] {
  return kind === 'remote' ? REMOTE_USER_FIELD_NAMES : LOCAL_USER_FIELD_NAMES;
}

/** Each user field's spec by name (frozen: looked up for every field of every user checked). */
const USER_FIELD_BY_NAME: Readonly<Record<UserFieldName, FieldSpec<UserFieldName>>> = Object.freeze(Object.fromEntries(USER_FIELDS.map((f) => [f.name, f])) as Record<UserFieldName, FieldSpec<UserFieldName>>);

/** The spec of one user field. */
export function userField(name: UserFieldName): FieldSpec<UserFieldName> {
  return USER_FIELD_BY_NAME[name];
}

/** The maximum length of a user text field (its column's size). */
export function userFieldMaxLength(name: UserFieldName): number {
  return userField(name).maxLength ?? Number.MAX_SAFE_INTEGER;
}

/**
 * A user's stored fields from given ones: every field, defaults where a value is missing
 * (undefined), and remote-only fields null for a local user.
 */
export function userFieldsOf(kind: 'local' | 'remote', given: { [N in UserFieldName]?: UserFields[N] | undefined }): UserFields {
  return {
    displayname: given.displayname ?? '',
    email: given.email ?? '',
    dialplan: given.dialplan ?? '',
    linetext: given.linetext ?? '',
    registrar: kind === 'remote' ? (given.registrar ?? null) : null,
    r_port: kind === 'remote' ? (given.r_port ?? null) : null,
    proxy: kind === 'remote' ? (given.proxy ?? null) : null,
    p_port: kind === 'remote' ? (given.p_port ?? null) : null,
    authid: kind === 'remote' ? (given.authid ?? null) : null,
  };
}

/** An alias: a dbaliases row (alias_username@alias_domain -> username@domain). */
export interface AliasRow {
  alias_username: string;
  /** Lowercase. */
  alias_domain: string;
  username: string;
  /** Lowercase. */
  domain: string;
}

/** dbaliases' columns, each VARCHAR(64). */
export const ALIAS_COLUMNS = [
  { name: 'alias_username', maxLength: MAX_USERNAME_LENGTH },
  { name: 'alias_domain', maxLength: MAX_DOMAIN_LENGTH },
  { name: 'username', maxLength: MAX_USERNAME_LENGTH },
  { name: 'domain', maxLength: MAX_DOMAIN_LENGTH },
] as const satisfies readonly { name: keyof AliasRow; maxLength: number }[];

/** A phone line: hermes_phones (mac CHAR(12), the line's user, its line number from 1). */
export interface PhoneLine {
  mac: string;
  username: string;
  domain: string;
  line: number;
}

export const PHONE_COLUMNS = ['mac', 'username', 'domain', 'line'] as const satisfies readonly (keyof PhoneLine)[];

/** A phone's lines are numbered 1 to this (the API's `line`, and how many lines the YAML may give a phone). */
export const MAX_PHONE_LINES = 1000;

/** hermes_provisioning.item is VARCHAR(255): `profile:NAME` must fit, so a profile's name holds at most 247 characters. */
export const PROVISIONING_ITEM_MAX_LENGTH = 255;
export const MAX_PROFILE_NAME_LENGTH = PROVISIONING_ITEM_MAX_LENGTH - 'profile:'.length;

/** Control characters and unpaired surrogates: no text field holds them (a phone's display, a MySQL utf8mb4 column). */
const UNSAFE_TEXT = /[\u0000-\u001f\u007f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;
/** What phones and kamctl accept in a SIP password. */
const PASSWORD = /^[\x21-\x7e]{1,64}$/;

/** Free text: at most `max` characters, none of them a control character. What is wrong, or null. */
export function textProblem(value: string, max: number): string | null {
  if (value.length > max) return `is ${value.length} characters long; at most ${max} fit`;
  if (UNSAFE_TEXT.test(value)) return 'holds a control character (or a broken surrogate pair), which no text field may hold';
  return null;
}

/** A DNS name (labels of letters, digits and inner hyphens) or an IPv4 address, as long as registrar and proxy hold. */
const HOST_NAME = /^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** A host as registrar and proxy hold it (at most 128 characters): a DNS name or IPv4 address, or an IPv6 address in brackets. */
export function isHost(value: string): boolean {
  if (value.length === 0 || value.length > userFieldMaxLength('registrar')) return false;
  if (HOST_NAME.test(value)) return true;
  const v6 = /^\[([0-9A-Fa-f:.]+)\]$/.exec(value);
  return v6 !== null && isIP(v6[1]) === 6;
}

function hostProblem(value: string): string | null {
  if (isHost(value)) return null;
  if (isIP(value) === 6) return 'is an IPv6 address: write it in brackets, as SIP does, e.g. [2001:db8::1]';
  return 'is not a host name, an IPv4 address or an IPv6 address in brackets';
}

/** What is wrong with a SIP password, or null: 1 to 64 printable ASCII characters, no spaces. */
export function passwordProblem(value: string): string | null {
  return PASSWORD.test(value) ? null : 'must be 1 to 64 printable ASCII characters without spaces (what phones and kamctl accept)';
}

/**
 * What is wrong with a value of a user field (the one rule that `validate` and the ops both
 * apply), or null when it may be stored. Empty text means "none" for every text field.
 */
export function userFieldProblem(name: UserFieldName, value: string | number): string | null {
  const spec = userField(name);
  if (spec.type === 'port') return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535 ? null : 'must be a port number from 1 to 65535';
  if (typeof value !== 'string') return 'must be text';
  const max = userFieldMaxLength(name);
  if (value.length > max) return `is ${value.length} characters long; at most ${max} fit`;
  if (spec.type === 'host') return hostProblem(value);
  if (spec.type === 'username') return isUsername(value) ? null : `is not a SIP user name (1 to ${MAX_USERNAME_LENGTH} of letters, digits and -_.!~*'()&=+$,;?/ or %XX)`;
  const text = textProblem(value, max);
  if (text !== null || spec.type !== 'email') return text;
  return value === '' || EMAIL.test(value) ? null : 'is not an e-mail address (name@host, no spaces)';
}
