import type { SourceLocation } from './types.js';

/**
 * Every `at` of a DesiredState and every diagnostic has its exact line and column from the
 * moment the state is loaded (the parser records positions in the same pass), so there is
 * nothing left to resolve: this returns `at` as it is. It remains only so that callers written
 * when positions were resolved lazily still compile; new code should use `at` directly.
 * @deprecated
 */
export function locate(at: SourceLocation): SourceLocation {
  return at;
}
