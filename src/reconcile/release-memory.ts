/**
 * A full garbage collection on demand, for the one moment of a large apply where most of the
 * heap has just become garbage (the actual state read for planning, the printed plan).
 *
 * Why: V8 sets the next major collection's threshold at up to 4x the heap that survived the
 * last one. The last one before executing runs during planning, when the actual state and
 * the plan's intermediates are alive, so the execution's garbage (op inputs, rows, SQL text)
 * piles up to that threshold: at 100,000 users, about 1 GiB of resident memory. Collecting
 * once after planning bases the threshold on what execution needs (desired state and plan).
 *
 * Node exposes gc() only with --expose-gc; setting that flag at run time makes it available
 * in a new context. Without it (a runtime that refuses), this does nothing.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | null | undefined;

export function releaseMemory(): void {
  if (collect === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      const gc: unknown = runInNewContext('gc');
      collect = typeof gc === 'function' ? (gc as () => void) : null;
    } catch {
      collect = null;
    }
  }
  collect?.();
}
