/**
 * A full garbage collection on demand, for the moments of a large apply where most of the heap
 * has just become garbage: after planning (the actual state read for planning, the printed
 * plan), and after each large batch of the execution (its op inputs, rows and SQL text).
 *
 * Why: V8 sets the next major collection's threshold at up to 4x the heap that survived the
 * last one. The last one before executing runs during planning, when the actual state and
 * the plan's intermediates are alive, so the execution's garbage piles up to that threshold:
 * at 100,000 users, about 1 GiB of resident memory. Collecting after planning bases the
 * threshold on what execution needs (desired state and plan); collecting after each batch of
 * 10,000 or more changes keeps one batch's garbage from adding to the next one's (913 MB ->
 * 741-751 MB peak RSS for 100,000 users from empty, for ~0.1 s).
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
