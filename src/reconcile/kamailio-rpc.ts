/** Kamailio's JSON-RPC: domain.reload after a change to the `domain` table (its module caches it). */
export async function reloadKamailioDomains(url: string, timeoutMs = 10_000): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'domain.reload', id: 1 }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new Error(`cannot reach ${safeUrl(url)} (${cause})`);
  }
  const text = await response.text();
  if (!response.ok) throw new Error(`${safeUrl(url)} answered HTTP ${response.status}`);
  let body: { error?: { message?: string; code?: number } };
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${safeUrl(url)} did not answer JSON-RPC`);
  }
  if (body.error) throw new Error(`Kamailio answered error ${body.error.code ?? ''} ${body.error.message ?? ''}`.trim());
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
