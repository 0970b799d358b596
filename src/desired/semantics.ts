import { domainChecker, MAX_DOMAIN_LENGTH, MAX_USERNAME_LENGTH, parseKeyedAddress, type KeyedAddress } from '../model/index.js';
import { CheckFacts } from './facts.js';
import { DESIRED_KINDS } from '../reconcile/kinds/checks.js';
import type { Diagnostic, DiagnosticCode } from './diagnostics.js';
import type { RawDesiredFile } from './raw-types.js';
import type { SecretsMode } from './secrets.js';
import { formatLocation, type Locator, type Segment } from './source-file.js';
import type { DesiredState, SourceLocation } from './types.js';

/** One file that passed the YAML parser, with the pointers the schema found invalid. */
export interface ValidatedPart {
  file: string;
  /**
   * Where a path is in the file: exact positions (yaml's parseDocument) in the positioned
   * pipeline, line 0 in the fast one (whose result is used only when there is no diagnostic).
   */
  locator: Locator;
  data: Partial<RawDesiredFile> & Record<string, unknown>;
  /** JSON pointers of schema errors (/users/3/number). */
  invalidPointers: string[];
}

export interface Item<T> {
  part: ValidatedPart;
  /** Path of the item in its file: ['users', 3]. */
  path: Segment[];
  value: T;
  at: SourceLocation;
  /** The item's record in its file's position index (-1: none), for locating its fields. */
  record: number;
}

/**
 * The semantic checks of the desired state over every file, and its canonical form. Items
 * the schema found invalid are skipped (their errors are already reported), but the names
 * they declare still count, so that one mistake is not reported again as a dangling
 * reference elsewhere.
 */
export class SemanticChecker {
  readonly diagnostics: Diagnostic[] = [];
  /** Every pointer that has a schema error at or below it (file\0pointer). */
  private readonly invalid = new Set<string>();
  /** The pointers of schema errors themselves. */
  private readonly errorAt = new Set<string>();

  /** What the kinds checked so far tell the kinds after them. */
  readonly facts = new CheckFacts();
  /** isDomain remembering the last domain it accepted (this checker's, for this run). */
  private readonly domainOk = domainChecker();
  /**
   * The last domain of an address read, handed to the next address of the same domain: one
   * string per domain instead of one per address (the state keeps hundreds of thousands).
   */
  private lastDomain = '';
  private readonly shareDomain = (domain: string): string => (domain === this.lastDomain ? this.lastDomain : (this.lastDomain = domain));

  constructor(
    readonly parts: ValidatedPart[],
    readonly secrets: SecretsMode,
    readonly env: NodeJS.ProcessEnv,
  ) {
    for (const part of parts)
      for (const pointer of part.invalidPointers) {
        this.errorAt.add(`${part.file}\u0000${pointer}`);
        const segs = pointer.split('/');
        for (let i = 1; i <= segs.length; i++) this.invalid.add(`${part.file}\u0000${segs.slice(0, i).join('/')}`);
      }
  }

  report(code: DiagnosticCode, at: SourceLocation, message: string, severity: 'error' | 'warning' = 'error'): void {
    this.diagnostics.push({ severity, code, file: at.file, line: at.line, column: at.column, path: at.path, message });
  }

  isInvalid(part: ValidatedPart, path: Segment[]): boolean {
    return this.invalid.has(`${part.file}\u0000/${path.join('/')}`);
  }

  /**
   * The items of a list section (or of a list inside a section). An item is invalid when the
   * schema rejects it as a whole (not a mapping, a required property missing) or one of its
   * identity fields; otherwise the fields the schema rejected are left out of its value and
   * the rest is checked.
   */
  items<T>(section: string, sub: string | undefined, identity: string[]): { valid: Item<T>[]; invalid: Item<unknown>[]; present: boolean } {
    const valid: Item<T>[] = [];
    const invalid: Item<unknown>[] = [];
    let present = false;
    for (const part of this.parts) {
      const base: Segment[] = sub ? [section, sub] : [section];
      let list: unknown = part.data[section];
      if (sub) list = list !== null && typeof list === 'object' && !Array.isArray(list) ? (list as Record<string, unknown>)[sub] : undefined;
      if (!Array.isArray(list)) {
        if (list !== undefined) present = true;
        continue;
      }
      present = true;
      const locations = part.locator.items(list, base);
      // a loop without a closure or a spread per item (a section may hold 100,000 items)
      for (let i = 0; i < list.length; i++) {
        const path: Segment[] = sub ? [section, sub, i] : [section, i];
        const item: Item<unknown> = { part, path, value: list[i], at: locations.at[i], record: locations.records[i] };
        if (this.invalid.size === 0) valid.push(item as Item<T>);
        else this.sortItem(item, identity, valid as Item<unknown>[], invalid);
      }
    }
    return { valid, invalid, present };
  }

  /** An item of a file with schema errors: valid, valid without the fields the schema rejected, or invalid. */
  private sortItem(item: Item<unknown>, identity: string[], valid: Item<unknown>[], invalid: Item<unknown>[]): void {
    const { part, path, value } = item;
    const pointer = (p: Segment[]) => `${part.file}\u0000/${p.join('/')}`;
    if (!this.invalid.has(pointer(path))) valid.push(item);
    else if (this.errorAt.has(pointer(path)) || identity.some((f) => this.invalid.has(pointer([...path, f]))) || value === null || typeof value !== 'object') invalid.push(item);
    else {
      const clean: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (!this.invalid.has(pointer([...path, k])) || (Array.isArray(v) && !this.errorAt.has(pointer([...path, k])))) clean[k] = v; // lists keep their valid elements
      valid.push({ ...item, value: clean });
    }
  }

  at(item: Item<unknown>, field: string, onKey = false): SourceLocation {
    return item.part.locator.field(item.value, item.at, item.path, field, onKey, item.record);
  }

  /** A domain name (lowercased), or null after reporting why it is not one. */
  domainName(value: string, at: SourceLocation, what: string): string | null {
    if (value.length > MAX_DOMAIN_LENGTH) {
      this.report('HERMES_TOO_LONG', at, `${what} ${JSON.stringify(value.slice(0, 20) + '…')} is ${value.length} characters; Kamailio's domain column holds at most ${MAX_DOMAIN_LENGTH}`);
      return null;
    }
    if (!this.domainOk(value)) {
      this.report('HERMES_INVALID_DOMAIN', at, `${what} ${JSON.stringify(value)} is not a domain name: labels of letters, digits and hyphens separated by dots, e.g. example.com`);
      return null;
    }
    return value.toLowerCase();
  }

  /** A SIP address with its canonical text, or null after reporting why it is not one. */
  address(value: string, at: SourceLocation, what: string): KeyedAddress | null {
    const address = parseKeyedAddress(value, this.domainOk, this.shareDomain);
    if (address) return address; // parseAddress accepts at most 64 characters in each part
    const s = value.trim().replace(/^sips?:/i, '');
    const i = s.lastIndexOf('@');
    if (i > 0 && i < s.length - 1) {
      const username = s.slice(0, i);
      const domain = s.slice(i + 1);
      if (username.length > MAX_USERNAME_LENGTH) {
        this.report('HERMES_TOO_LONG', at, `${what}: the username of ${JSON.stringify(s.slice(0, 20) + '…')} is ${username.length} characters; Kamailio's username column holds at most ${MAX_USERNAME_LENGTH}`);
        return null;
      }
      if (domain.length > MAX_DOMAIN_LENGTH) {
        this.report('HERMES_TOO_LONG', at, `${what}: the domain of ${JSON.stringify(s.slice(0, 20) + '…')} is ${domain.length} characters; Kamailio's domain column holds at most ${MAX_DOMAIN_LENGTH}`);
        return null;
      }
    }
    this.report('HERMES_INVALID_ADDRESS', at, `${what} ${JSON.stringify(value)} is not a SIP address: expected username@domain, where the username uses letters, digits and - _ . ! ~ * ' ( ) & = + $ , ; ? / (or %XX) and the domain is a host name`);
    return null;
  }

  /** Checks every kind in turn (kinds/index.ts), then resolves the declared secrets. */
  async check(): Promise<DesiredState> {
    const state: DesiredState = { version: 1, files: this.parts.map((p) => p.file) };
    for (const kind of DESIRED_KINDS) kind(this, state);
    await this.facts.resolveSecrets(this);
    return state;
  }

  firstSectionAt(section: string): SourceLocation | undefined {
    const part = this.parts.find((p) => p.data[section] !== undefined);
    return part ? part.locator.locate([section]) : undefined;
  }
}

export function compareLocations(a: SourceLocation, b: SourceLocation): number {
  return a.file === b.file ? a.line - b.line || a.column - b.column : a.file < b.file ? -1 : 1;
}
