/**
 * The Hermes response envelope (../shared/seed/api-nodes.txt): every node answers an object
 * with `response` ok | invalid | failed | error; non-ok answers carry a `cause` keyword and
 * usually a verbose `detail`. Cause keywords and spellings ('nonexistant', 'inuse', 'dbfail',
 * 'exists', 'nxdomain', 'destination', 'alias', 'address') are a contract with clients.
 */
import type { CauseOf } from '../errors.js';

export type ResponseKind = 'ok' | 'invalid' | 'failed' | 'error';

export interface OkEnvelope {
  response: 'ok';
  [key: string]: unknown;
}

export interface FailureEnvelope {
  response: Exclude<ResponseKind, 'ok'>;
  cause: string;
  detail?: string;
}

export type Envelope = OkEnvelope | FailureEnvelope;

/**
 * Thrown by an op for a failure a client can act on. `response` 'invalid' names the bad
 * parameter as `cause`; 'failed' uses the seed's keywords; 'error' is a critical failure
 * (cause 'dbfail' for database errors, whose driver text is never sent to clients).
 */
export class OpFailure extends Error {
  constructor(
    readonly response: Exclude<ResponseKind, 'ok'>,
    override readonly cause: string,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'OpFailure';
  }

  toEnvelope(): FailureEnvelope {
    return { response: this.response, cause: this.cause, detail: this.detail };
  }
}

export const invalid = (cause: string, detail: string) => new OpFailure('invalid', cause, detail);
/** A simple failure; its cause is one the error catalogue lists (src/errors.ts), with its HTTP status. */
export const failed = (cause: CauseOf<'failed'>, detail: string) => new OpFailure('failed', cause, detail);
