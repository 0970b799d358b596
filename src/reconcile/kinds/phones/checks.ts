/**
 * The semantic checks of `phones`: MACs, duplicates, lines that are declared users, once each.
 * Their provisioning fields (model, profile, settings, keys) are the provisioning kind's.
 */
import { MAX_PHONE_LINES, normalizeMac } from '../../../model/index.js';
import type { RawPhone } from '../../../desired/raw-types.js';
import type { Item, SemanticChecker } from '../../../desired/semantics.js';
import { formatLocation } from '../../../desired/source-file.js';
import type { DesiredPhone, DesiredState, SourceLocation } from '../../../desired/types.js';

function lines(c: SemanticChecker, item: Item<RawPhone>, mac: string): string[] {
  const out: string[] = [];
  const seen = new Map<string, number>();
  (Array.isArray(item.value.users) ? item.value.users : []).forEach((line, i) => {
    if (typeof line !== 'string') return;
    const lineAt = item.part.locator.child(item.at, item.path, ['users', i]);
    const address = c.address(line, lineAt, `line ${i + 1}`);
    if (!address) return;
    const key = address.key;
    const previous = seen.get(key);
    if (previous !== undefined) {
      c.report('HERMES_PHONE_DUPLICATE_LINE', lineAt, `${key} is on phone ${mac} twice (lines ${previous + 1} and ${i + 1}); a user is on a phone once`);
      return;
    }
    seen.set(key, i);
    if (!c.facts.isDeclared(key)) c.report('HERMES_PHONE_LINE_UNDECLARED', lineAt, `line ${i + 1} of phone ${mac}, ${key}, is not a declared user; declare it under users`);
    if (i === MAX_PHONE_LINES) c.report('HERMES_PHONE_CAPACITY', lineAt, `phone ${mac} has more than ${MAX_PHONE_LINES} lines; lines are numbered 1 to ${MAX_PHONE_LINES}`);
    out.push(key);
  });
  return out;
}

export function checkPhones(c: SemanticChecker, state: DesiredState): void {
  const items = c.items<RawPhone>('phones', undefined, ['mac']);
  const phones: DesiredPhone[] = [];
  const macs = new Map<string, SourceLocation>();
  for (const item of items.valid) {
    const macAt = c.at(item, 'mac');
    const mac = normalizeMac(item.value.mac);
    if (mac === null) {
      c.report('HERMES_INVALID_MAC', macAt, `mac ${JSON.stringify(item.value.mac)} is not a MAC address: 12 hex digits, plain (0004f2abcdef) or colon- or dash-separated (00:04:f2:ab:cd:ef)`);
      continue;
    }
    const other = macs.get(mac);
    if (other) {
      c.report('HERMES_DUPLICATE_PHONE', macAt, `phone ${mac} is declared twice; it is also at ${formatLocation(other)}`);
      continue;
    }
    macs.set(mac, macAt);
    const phone: DesiredPhone = { mac, lines: lines(c, item, mac), at: item.at };
    phones.push(phone);
    c.facts.phoneItems.push({ phone, item });
  }
  if (items.present) state.phones = phones;
}
