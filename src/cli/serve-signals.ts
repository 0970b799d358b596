import type { FastifyInstance } from 'fastify';

/** Resolves with the first SIGTERM or SIGINT. */
export function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve(signal);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

/**
 * Drains the server: it stops accepting connections, answers 503 to new requests on open
 * ones (the load balancer's cue), closes idle ones and waits for the requests in flight.
 * Whatever is still open after `timeoutMs` is cut off. Returns whether everything finished.
 */
export async function drain(app: FastifyInstance, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    const drained = await Promise.race([app.close().then(() => true as const), expired]);
    if (!drained) app.server.closeAllConnections();
    return drained;
  } finally {
    clearTimeout(timer);
  }
}
