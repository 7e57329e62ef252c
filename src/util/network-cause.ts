/**
 * Why a request reached nobody, in words an operator can act on. `fetch failed` looks the same for
 * a refused connection, a name that does not resolve and no network at all; the error's cause chain
 * (`cause`, or `original` for Slack's client) carries the system code that tells them apart.
 */

export interface NetworkCause {
  /** The system or undici code (`ECONNREFUSED`, `ENOTFOUND`, `UND_ERR_CONNECT_TIMEOUT`, …), or `timeout`. */
  code: string;
  /** What it means and what to check, one clause, lower case (it follows a colon). */
  hint: string;
}

const HINTS: Record<string, (host: string) => string> = {
  ECONNREFUSED: (host) => `nothing is listening at ${host}; is the URL's port right, and is the service up?`,
  ENOTFOUND: (host) => `the name ${host} does not resolve; is the host name spelled right?`,
  EAI_AGAIN: (host) =>
    `DNS did not answer for ${host} (no network, or no DNS server reachable); is this machine online?`,
  ECONNRESET: (host) => `${host} closed the connection; is a proxy or firewall in between?`,
  EHOSTUNREACH: (host) => `no route to ${host}; is this machine online, and may it reach that network?`,
  ENETUNREACH: (host) => `no route to ${host}'s network; is this machine online?`,
  ETIMEDOUT: (host) => `${host} did not answer in time; is a firewall dropping the connection?`,
  UND_ERR_CONNECT_TIMEOUT: (host) =>
    `${host} did not accept the connection in time; is a firewall dropping it?`,
  timeout: (host) =>
    `${host} did not answer in time; is it overloaded, or a firewall dropping the connection?`,
  bad_port: (host) =>
    `fetch refuses to connect to ${host}: browsers and Node's fetch block that port (9, 25, 6000, …); use another`,
  CERT: (host) => `${host}'s TLS certificate was not accepted; is a proxy replacing it, or the URL wrong?`,
};

/** The first `code` along the error's causes, or `timeout` for an abort by a deadline. */
function codeOf(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
    const { code, name, cause, original } = current as {
      code?: unknown;
      name?: unknown;
      cause?: unknown;
      original?: unknown;
    };
    // Slack's client sets its own code (`slack_webapi_request_error`); the system's lies beneath.
    if (
      typeof code === 'string' &&
      (code.startsWith('E') || code.startsWith('UND_') || code.includes('CERT'))
    )
      return code;
    if (name === 'TimeoutError' || name === 'AbortError') return 'timeout';
    // fetch refuses the ports browsers block (9, 25, 6000, …) before connecting, with no code.
    if (current instanceof Error && current.message === 'bad port') return 'bad_port';
    current = original ?? cause;
  }
  return null;
}

/** The cause of a failed request to `url`, or null when the error names none. */
export function networkCause(error: unknown, url: string): NetworkCause | null {
  const code = codeOf(error);
  if (code === null) return null;
  let host = url;
  try {
    host = new URL(url).host;
  } catch {
    // Not a URL: name it as given.
  }
  const hint = HINTS[code] ?? (code.includes('CERT') ? HINTS.CERT : undefined);
  return { code, hint: hint ? hint(host) : `the connection to ${host} failed` };
}
