/** A failed request's cause, found along the error's causes, in words that say what to check. */
import { describe, expect, it } from 'vitest';
import { networkCause } from '../../src/util/network-cause.js';

/** As Node's fetch fails: `TypeError: fetch failed` with the system error as its cause. */
function fetchFailure(cause: unknown): TypeError {
  return new TypeError('fetch failed', { cause });
}

/** As Slack's client wraps it: `code: slack_webapi_request_error`, the fetch error as `original`. */
function slackFailure(cause: unknown): Error {
  return Object.assign(new Error('A request error occurred: fetch failed'), {
    code: 'slack_webapi_request_error',
    original: fetchFailure(cause),
  });
}

const system = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

describe('networkCause', () => {
  it.each([
    ['ECONNREFUSED', 'nothing is listening at api.example.com:8443'],
    ['ENOTFOUND', 'the name api.example.com:8443 does not resolve'],
    ['EAI_AGAIN', 'DNS did not answer for api.example.com:8443'],
    ['UND_ERR_CONNECT_TIMEOUT', 'did not accept the connection in time'],
    ['ETIMEDOUT', 'did not answer in time'],
  ])('%s through Slack’s wrapper: the code and what to check', (code, hint) => {
    const cause = networkCause(slackFailure(system(code)), 'https://api.example.com:8443/api/');
    expect(cause?.code).toBe(code);
    expect(cause?.hint).toContain(hint);
  });

  it('a deadline (AbortSignal.timeout) is a timeout', () => {
    const abort = Object.assign(new Error('The operation was aborted due to timeout'), {
      name: 'TimeoutError',
    });
    expect(networkCause(abort, 'https://slack.com/api/')?.code).toBe('timeout');
  });

  it('a certificate problem names TLS', () => {
    const cause = networkCause(
      fetchFailure(system('UNABLE_TO_VERIFY_LEAF_SIGNATURE_CERT')),
      'https://x.test/',
    );
    expect(cause?.hint).toContain('TLS certificate');
  });

  it('a port fetch will not dial says so', () => {
    expect(networkCause(slackFailure(new Error('bad port')), 'http://127.0.0.1:9/api/')).toMatchObject({
      code: 'bad_port',
    });
  });

  it('an answer from the service (Slack’s invalid_auth) is not a network cause', () => {
    const refused = Object.assign(new Error('An API error occurred: invalid_auth'), {
      code: 'slack_webapi_platform_error',
    });
    expect(networkCause(refused, 'https://slack.com/api/')).toBeNull();
  });
});
