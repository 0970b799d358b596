/**
 * What each node parameter means, for the OpenAPI description (openapi.ts): by name, as every
 * node that takes a parameter gives it the same meaning (docs/api.md, "Parameter rules").
 * Which node takes which parameter comes from the node definitions (src/ops/nodes.ts); a
 * parameter missing here fails the description's generation, and so its test.
 */
export interface ParamDoc {
  description: string;
  /** JSON Schema of the value as sent (always text on the wire). */
  schema: Record<string, unknown>;
}

const ADDRESS = { type: 'string', pattern: '^(sip:)?[^@\\s]+@[^@\\s]+$', maxLength: 1024 };
const E164 = { type: 'string', pattern: '^\\+[1-9][0-9]{0,14}$' };
const TEXT = (maxLength: number) => ({ type: 'string', maxLength });
const PORT = { type: 'string', pattern: '^([0-9]{1,5})?$', description: '1 to 65535; empty: none' };
const BOOL = { type: 'string', enum: ['true', 'false', '1', '0', 'yes', 'no'] };
const GLOB = { type: 'string', maxLength: 1024, description: 'a glob: * any run of characters, ? one character' };

export const PARAM_DOCS: Readonly<Record<string, ParamDoc>> = {
  address: { description: 'The user as a SIP address user@domain (another spelling of user=).', schema: ADDRESS },
  user: { description: 'The user as a SIP address user@domain (an optional sip: prefix is accepted); or give username and domain.', schema: ADDRESS },
  username: { description: "The user part of the user's address (with domain): 1 to 64 characters.", schema: { type: 'string', minLength: 1, maxLength: 64 } },
  domain: { description: "The domain of the user's address (with username): a DNS name, stored lowercase.", schema: { type: 'string', minLength: 1, maxLength: 64 } },
  search: { description: 'Only entries matching this glob.', schema: GLOB },
  limit: { description: 'At most this many entries (1 to 10,000; larger is clamped); a list cut short carries "truncated": true.', schema: { type: 'string', pattern: '^[0-9]+$' } },
  displayname: { description: 'The display name (no control characters).', schema: TEXT(128) },
  email: { description: 'An e-mail address.', schema: TEXT(128) },
  dialplan: { description: 'The dial plan of the phones of the user.', schema: TEXT(128) },
  linetext: { description: "The label of the user's line on phones.", schema: TEXT(64) },
  password: { description: 'A SIP password: 1 to 64 printable ASCII characters without spaces. Never logged.', schema: { type: 'string', pattern: '^[!-~]{1,64}$', format: 'password' } },
  registrar: { description: 'The remote registrar (host name or address) of a remote user.', schema: TEXT(128) },
  r_port: { description: "The registrar's port.", schema: PORT },
  proxy: { description: 'The outbound proxy of a remote user; empty: none.', schema: TEXT(128) },
  p_port: { description: "The proxy's port.", schema: PORT },
  authid: { description: 'The authentication name at the remote registrar; empty: the user name.', schema: TEXT(64) },
  mac: { description: "A phone's MAC address: 12 hex digits, plain or colon- or dash-separated, any case.", schema: { type: 'string', pattern: '^[0-9A-Fa-f]{2}([:-]?[0-9A-Fa-f]{2}){5}$' } },
  file: { description: "One of the phone's provisioning files by name; without: all of them.", schema: TEXT(255) },
  line: { description: "The phone's line for the user (1 to 1000; default: the next free one).", schema: { type: 'string', pattern: '^[0-9]{1,4}$' } },
  random: { description: 'Answer numbers in random order (a sample of free numbers).', schema: BOOL },
  start: { description: 'The first number of a range (E.164).', schema: E164 },
  end: { description: 'The last number of a range (E.164), in the same run as start.', schema: E164 },
  number: { description: 'An E.164 number: + then 1 to 15 digits (URL-encode the + as %2B in a query).', schema: E164 },
  destination: { description: 'The user an alias leads to, as user@domain (or give username and domain, or user=).', schema: ADDRESS },
  e164: { description: 'Only the E.164 aliases (numbers) of the user.', schema: BOOL },
  alias: { description: 'The alias as a SIP address alias@domain (or give alias_username and alias_domain).', schema: ADDRESS },
  alias_username: { description: 'The user part of the alias (with alias_domain).', schema: { type: 'string', minLength: 1, maxLength: 64 } },
  alias_domain: { description: 'The domain of the alias (with alias_username).', schema: { type: 'string', minLength: 1, maxLength: 64 } },
};
