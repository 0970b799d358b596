import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import type { Connection } from '../db/connect.js';
import { HermesError, isHermesError } from '../errors.js';
import { databaseOptions, globalOptions } from './global-options.js';

/** Thrown by commands to end with an exit code after printing what they had to say. */
export class ExitCode extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/**
 * Prints an error as one line on stderr (the stack only with --debug) and returns the exit
 * code. Catalogued errors print their code; anything else is an internal error.
 */
export function reportError(error: unknown, debug: boolean): number {
  if (error instanceof ExitCode) return error.code;
  if (isHermesError(error)) {
    // One line per line of the message (a plan's problems), each with the code.
    for (const line of error.message.split('\n')) process.stderr.write(`hermes: ${line} [${error.code}]\n`);
    if (debug && error.cause instanceof Error) process.stderr.write(`${error.cause.stack ?? error.cause.message}\n`);
    if (debug) process.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`hermes: internal error: ${message.split('\n')[0]} [INTERNAL] (run with --debug for details)\n`);
  if (debug && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return 1;
}

/**
 * Wraps a command's action: runs it, turns errors into one line and an exit code, and sets
 * process.exitCode. The action returns its exit code (0 when it returns nothing).
 */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<number | void>) {
  return async (...args: A): Promise<void> => {
    const command = args[args.length - 1] as Command;
    try {
      const code = await fn(...args);
      process.exitCode = code ?? 0;
    } catch (error) {
      process.exitCode = reportError(error, Boolean(globalOptions(command).debug));
    }
  };
}

/** Opens the databases named by the global options (read-only: creating and changing nothing), runs fn, and closes them. */
export async function withDatabases<T>(command: Command, fn: (connection: Connection) => Promise<T>, options: { readOnly?: boolean } = {}): Promise<T> {
  // loaded here, not at the top: commands without a database (validate) then never load Kysely and the drivers
  const { onDatabases, openDatabases } = await import('../db/connect.js');
  const connection = await openDatabases({ ...databaseOptions(command), readOnly: options.readOnly });
  try {
    return await onDatabases(connection, fn);
  } finally {
    await connection.close();
  }
}

/** Colour only on a terminal, and not with NO_COLOR. */
export function useColor(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !('NO_COLOR' in process.env && process.env.NO_COLOR !== '');
}

/**
 * Writes `chunks` to `stream` one at a time, waiting for 'drain' whenever the stream's buffer
 * is full, then until the last piece is written. A pipe on POSIX is written asynchronously:
 * without waiting, a plan of a million changes piped to a slower reader (a CI log, `less`, a
 * parent process) would be queued whole in memory (tens of MB of text) while the apply goes
 * on. A write that fails (EPIPE when the reader has gone, as with `| head`) ends the command
 * with OUTPUT_FAILED (naming `what` and the `consequence`) before anything else is done,
 * instead of an unhandled 'error' event.
 */
export async function writeChunks(stream: Writable, chunks: Iterable<string>, what = 'the plan', consequence = 'stopped there'): Promise<void> {
  let failure: unknown;
  const onError = (error: unknown) => (failure ??= error);
  stream.on('error', onError);
  try {
    for (const chunk of chunks) {
      if (failure !== undefined || stream.destroyed) break;
      if (!stream.write(chunk) && failure === undefined && !stream.destroyed) await once(stream, 'drain');
    }
    // The last pieces written out (or failed): an empty write's callback comes after theirs.
    if (failure === undefined && !stream.destroyed) {
      await new Promise<void>((resolve) =>
        stream.write('', (error) => {
          if (error) failure ??= error;
          resolve();
        }),
      );
    }
  } catch (error) {
    failure ??= error;
  } finally {
    stream.off('error', onError);
  }
  if (failure === undefined && stream.destroyed) failure = new Error('the stream was closed');
  if (failure !== undefined) {
    const code = (failure as NodeJS.ErrnoException).code;
    throw new HermesError('OUTPUT_FAILED', `cannot write ${what} to standard output (${code === 'EPIPE' ? 'its reader went away' : (code ?? (failure instanceof Error ? failure.message : String(failure)))}); ${consequence}`);
  }
}
