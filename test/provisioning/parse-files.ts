/**
 * Reads rendered phone files back the way a phone would: Yealink's key = value grammar, and
 * the XML vendors with a real XML parser (fast-xml-parser), into one neutral "line N has
 * user, auth name, password, server, port, display name, label" view per vendor.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { RenderedFile, Vendor } from '../../src/provisioning/index.js';

export interface ParsedLine {
  user: string;
  auth: string;
  password: string;
  server: string;
  port: string;
  display: string;
  label: string;
}

/**
 * Yealink's grammar: the first line is #!version:1.0.0.1; blank lines and lines starting
 * with # are comments; every other line is `key = value`, the key everything before the
 * first '=', trimmed. Throws on a line that is none of these, or on a key given twice.
 */
export function parseCfg(text: string): Map<string, string> {
  const lines = text.split('\n');
  if (lines[0] !== '#!version:1.0.0.1') throw new Error(`first line is ${JSON.stringify(lines[0])}`);
  const out = new Map<string, string>();
  for (const line of lines.slice(1)) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const m = /^([A-Za-z0-9_.\-]+) = (.*)$/.exec(line);
    if (!m) throw new Error(`not a key = value line: ${JSON.stringify(line)}`);
    if (out.has(m[1])) throw new Error(`key ${m[1]} given twice`);
    out.set(m[1], m[2]);
  }
  return out;
}

/**
 * Yealink's boot-file grammar: the first line is #!version:1.0.0.1; blank lines and lines
 * starting with # are comments; `include:config "<file>"` (optionally after a `[MODEL,...]`
 * prefix) names a file to load, in order; every other line is `key = value`. Throws on
 * anything else.
 */
export function parseBoot(text: string): { includes: { models?: string[]; file: string }[]; settings: Map<string, string> } {
  const lines = text.split('\n');
  if (lines[0] !== '#!version:1.0.0.1') throw new Error(`first line is ${JSON.stringify(lines[0])}`);
  const includes: { models?: string[]; file: string }[] = [];
  const settings = new Map<string, string>();
  for (const line of lines.slice(1)) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const include = /^(?:\[([A-Z0-9_]+(?:,[A-Z0-9_]+)*)\])?include:config "([^"<>\s]+\.cfg)"$/.exec(line);
    if (include) includes.push({ ...(include[1] ? { models: include[1].split(',') } : {}), file: include[2] });
    else {
      const m = /^([A-Za-z0-9_.\-]+) = (.*)$/.exec(line);
      if (!m) throw new Error(`not an include or a key = value line: ${JSON.stringify(line)}`);
      settings.set(m[1], m[2]);
    }
  }
  return { includes, settings };
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, parseAttributeValue: false, isArray: (_n: string, _p: unknown, _leaf: boolean, isAttribute: boolean) => !isAttribute, alwaysCreateTextNode: true, processEntities: true });

/** Parses XML with a real parser after validating it is well-formed (throws if not). */
export function parseXml(text: string): any {
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new Error(`not well-formed XML: ${JSON.stringify(valid.err)}`);
  return parser.parse(text);
}

function snomLines(doc: any): Map<number, ParsedLine> {
  const settings = doc.settings[0]['phone-settings'][0];
  const at = (name: string, idx: number): string => {
    const found = (settings[name] ?? []).find((e: any) => e['@idx'] === String(idx));
    return found === undefined ? '' : (found['#text'] ?? '');
  };
  const out = new Map<number, ParsedLine>();
  for (const e of settings.user_name ?? []) {
    const n = Number(e['@idx']);
    const [server, port] = at('user_host', n).split(':');
    out.set(n, { user: at('user_name', n), auth: at('user_pname', n), password: at('user_pass', n), server, port, display: at('user_realname', n), label: at('user_idle_text', n) });
  }
  return out;
}

/** All attributes of every element under the root, merged (Poly keys are attributes). */
export function polyAttributes(doc: any): Map<string, string> {
  const out = new Map<string, string>();
  for (const elements of Object.values(doc.polycomConfig[0]) as any[]) {
    for (const e of elements) for (const [k, v] of Object.entries(e)) if (k.startsWith('@')) out.set(k.slice(1), v as string);
  }
  return out;
}

/** Grandstream: every P-value under <config>. */
export function grandstreamValues(doc: any): Map<string, string> {
  const config = doc.gs_provision[0].config[0];
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(config) as [string, any[]][]) if (/^P\d+$/.test(k)) out.set(k, v[0]['#text'] ?? '');
  return out;
}

const GS_ACCOUNT: Record<number, [string, string, string, string, string, string]> = {
  // user, auth, password, server, display, account name
  1: ['P35', 'P36', 'P34', 'P47', 'P3', 'P270'],
  2: ['P404', 'P405', 'P406', 'P402', 'P407', 'P417'],
};

/** Each line's credentials and server, read from the vendor's own keys in the phone's files. */
export function linesOf(vendor: Vendor, files: RenderedFile[]): Map<number, ParsedLine> {
  const out = new Map<number, ParsedLine>();
  if (vendor === 'yealink') {
    const cfg = parseCfg(files[0].content);
    for (let n = 1; cfg.has(`account.${n}.user_name`); n++) {
      const k = (s: string) => cfg.get(`account.${n}.${s}`) ?? '';
      out.set(n, { user: k('user_name'), auth: k('auth_name'), password: k('password'), server: k('sip_server.1.address'), port: k('sip_server.1.port'), display: k('display_name'), label: k('label') });
    }
  } else if (vendor === 'snom') return snomLines(parseXml(files[0].content));
  else if (vendor === 'polycom') {
    const attrs = polyAttributes(parseXml(files[1].content));
    for (let n = 1; attrs.has(`reg.${n}.address`); n++) {
      const k = (s: string) => attrs.get(`reg.${n}.${s}`) ?? '';
      out.set(n, { user: k('address').split('@')[0], auth: k('auth.userId'), password: k('auth.password'), server: k('server.1.address'), port: k('server.1.port'), display: k('displayName'), label: k('label') });
    }
  } else {
    const p = grandstreamValues(parseXml(files[0].content));
    for (const [n, codes] of Object.entries(GS_ACCOUNT)) {
      if (!p.has(codes[0])) continue;
      const [server, port] = (p.get(codes[3]) ?? '').split(':');
      out.set(Number(n), { user: p.get(codes[0])!, auth: p.get(codes[1])!, password: p.get(codes[2])!, server, port, display: p.get(codes[4])!, label: p.get(codes[5])! });
    }
  }
  return out;
}
