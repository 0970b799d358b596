/** Kamailio's JSON-RPC (jsonrpcs over HTTP): domain.reload, and what --notify-phones calls. */

/** An error Kamailio answered (JSON-RPC error object): the call reached it. */
export class KamailioRpcError extends Error {
  constructor(
    readonly code: number | undefined,
    readonly detail: string,
  ) {
    super(`Kamailio answered error ${code ?? ''} ${detail}`.replace(/\s+/g, ' ').trim());
  }
}

/** Calls one JSON-RPC method; its result, or a KamailioRpcError, or an Error when Kamailio cannot be reached. */
export async function callKamailioRpc(url: string, method: string, params: unknown[] = [], timeoutMs = 10_000): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', method, ...(params.length > 0 ? { params } : {}), id: 1 }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new Error(`cannot reach ${safeUrl(url)} (${cause})`);
  }
  const text = await response.text();
  let body: { result?: unknown; error?: { message?: string; code?: number } };
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(response.ok ? `${safeUrl(url)} did not answer JSON-RPC` : `${safeUrl(url)} answered HTTP ${response.status}`);
  }
  if (body.error) throw new KamailioRpcError(body.error.code, body.error.message ?? '');
  if (!response.ok) throw new Error(`${safeUrl(url)} answered HTTP ${response.status}`);
  return body.result;
}

/** domain.reload after a change to the `domain` table (its module caches it). */
export async function reloadKamailioDomains(url: string, timeoutMs = 10_000): Promise<void> {
  await callKamailioRpc(url, 'domain.reload', [], timeoutMs);
}

/** The URL without credentials, for messages. */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return 'the Kamailio RPC URL';
  }
}
