import { errorCatalogue, type ErrorCode, type ErrorDefinition } from '../../src/errors.js';

/**
 * The HTTP status and envelope the error catalogue gives a code (for a parameter's
 * `invalid`, the cause is the parameter). Tests of the node API assert through it, which also
 * names the code for test/catalogue.test.ts's registry.
 */
export function catalogued(code: ErrorCode, parameter?: string): { status: number; envelope: { response: string; cause: string } } {
  const d: ErrorDefinition = errorCatalogue[code];
  if (!d.envelope) throw new Error(`${code} has no envelope of its own`);
  if (d.envelope.cause === undefined && parameter === undefined) throw new Error(`${code} needs the parameter its cause names`);
  return { status: d.httpStatus, envelope: { response: d.envelope.response, cause: d.envelope.cause ?? parameter! } };
}
