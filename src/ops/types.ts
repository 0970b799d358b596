import type { Address } from './canonical.js';
import type { AliasRow } from '../model/index.js';

export type { Address } from './canonical.js';

/** The user object of user/get (and of user/add_local, user/add_remote, user/update). */
export interface UserRecord {
  username: string;
  domain: string;
  /** username@domain */
  address: string;
  kind: 'local' | 'remote';
  displayname: string;
  email: string;
  dialplan: string;
  linetext: string;
  registrar: string | null;
  r_port: number | null;
  proxy: string | null;
  p_port: number | null;
  authid: string | null;
  /** Only when ctx.showSecrets (local: subscriber.password; remote: the stored password). */
  password?: string;
}

export interface LocalUserInput extends Address {
  displayname?: string;
  email?: string;
  dialplan?: string;
  linetext?: string;
  /** Generated when absent. */
  password?: string;
}

export interface RemoteUserInput extends Address {
  password: string;
  registrar: string;
  displayname?: string;
  email?: string;
  r_port?: number | null;
  proxy?: string | null;
  p_port?: number | null;
  authid?: string | null;
  dialplan?: string;
  linetext?: string;
}

export type UpdatableUserField = 'displayname' | 'email' | 'dialplan' | 'linetext' | 'registrar' | 'r_port' | 'proxy' | 'p_port' | 'authid';

export interface UserUpdate extends Address {
  fields: Partial<Pick<UserRecord, UpdatableUserField>>;
  /** Sets subscriber password + ha1 + ha1b (local) or the remote password. */
  password?: string;
}

/** An alias to add: the model's alias shape. */
export type AliasInput = AliasRow;

/** An alias's own address. */
export type AliasKey = Pick<AliasRow, 'alias_username' | 'alias_domain'>;

/** One line of a phone: `line` defaults to the phone's next free line. */
export interface PhoneLineInput {
  mac: string;
  username: string;
  domain: string;
  line?: number;
}

export interface PhoneLineKey {
  mac: string;
  username: string;
  domain: string;
}

/** A phone line as stored: normalised MAC, user@domain, 1-based line. */
export interface PhoneLine {
  mac: string;
  user: string;
  line: number;
}

/** An alias and its destination, both as user@domain. */
export interface AliasRecord {
  alias: string;
  destination: string;
}
