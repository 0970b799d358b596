/** Phones' MAC addresses: stored as 12 lowercase hex digits, shown as aa:bb:cc:dd:ee:ff. */

/**
 * A MAC in plain hex (f00ba2ba5c00), colon- or dash-separated form, any case, as 12 lowercase
 * hex digits; null when it is not a MAC.
 */
export function normalizeMac(input: string): string | null {
  const s = input.trim();
  if (/^[0-9a-fA-F]{12}$/.test(s)) return s.toLowerCase();
  if (/^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2}){4}$/.test(s)) return s.replace(/[:-]/g, '').toLowerCase();
  return null;
}

/** aa:bb:cc:dd:ee:ff for a 12-hex MAC. */
export function displayMac(mac: string): string {
  return /^[0-9a-f]{12}$/.test(mac) ? mac.match(/../g)!.join(':') : mac;
}
