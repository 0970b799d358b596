/**
 * Property tests (fast-check) draw a random seed on every run, so that each run explores new
 * inputs; a failure prints the seed and path that reproduce it. HERMES_TEST_SEED fixes the
 * seed instead: .ci/run sets it, so that a merge is gated on a known run and never blocked by
 * a counterexample drawn for the first time (run `npm test` without it to explore).
 */
import fc from 'fast-check';

const seed = process.env.HERMES_TEST_SEED;
if (seed !== undefined && seed !== '') {
  if (!/^-?\d+$/.test(seed) || !Number.isSafeInteger(Number(seed))) throw new Error(`HERMES_TEST_SEED must be an integer, not ${JSON.stringify(seed)}`);
  fc.configureGlobal({ seed: Number(seed) });
}
