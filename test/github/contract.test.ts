/**
 * The checks that hold the fake to GitHub's descriptions can fail: each kind of departure from the REST
 * subset (OpenAPI 3.0, with `nullable`) and from the webhook schema is caught.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeGitHub } from '../../dev/fake-github/server.js';
import { startFakeGitHub } from '../../dev/fake-github/server.js';
import { ManualClock } from '../support/clock.js';
import { GITHUB_REF_MISSING, WEBHOOK_REF_MISSING } from '../support/github.js';
import { loadJsonSchema, WEBHOOK_SCHEMA_FILE } from '../support/json-schema.js';
import { GITHUB_REST, loadOpenApiContract } from '../support/openapi.js';
import { requirement } from '../support/requirements.js';

const contract = requirement(loadOpenApiContract(GITHUB_REST), GITHUB_REF_MISSING);
const webhookSchema = requirement(loadJsonSchema(WEBHOOK_SCHEMA_FILE), WEBHOOK_REF_MISSING);

const ALERT = '/repos/{owner}/{repo}/secret-scanning/alerts/{alert_number}';
const LOCATIONS = `${ALERT}/locations`;
const SECRET = '/repos/{owner}/{repo}/actions/secrets/{secret_name}';
const TOKENS = '/app/installations/{installation_id}/access_tokens';

/** A minimal alert that fits `secret-scanning-alert-with-metadata`. */
function alert(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    number: 1,
    created_at: '2026-09-01T08:00:00Z',
    updated_at: null,
    url: 'https://api.github.com/repos/acme/infra/secret-scanning/alerts/1',
    html_url: 'https://github.com/acme/infra/security/secret-scanning/1',
    state: 'open',
    resolution: null,
    resolved_at: null,
    resolved_by: null,
    secret_type: 'clickhouse_cloud_key',
    secret: '4b1dX',
    ...overrides,
  };
}

describe.skipIf(!contract)('the GitHub REST subset as a contract', () => {
  const spec = contract!;

  it('maps concrete paths to templates, the literal public-key over {secret_name}', () => {
    expect(spec.matchPath('GET', '/repos/acme/infra/actions/secrets/public-key')).toBe(
      '/repos/{owner}/{repo}/actions/secrets/public-key',
    );
    expect(spec.matchPath('PUT', '/repos/acme/infra/actions/secrets/KEY')).toBe(SECRET);
    expect(spec.matchPath('GET', '/repos/acme/infra/environments/eu%2Fprod/secrets/public-key')).toBe(
      '/repos/{owner}/{repo}/environments/{environment_name}/secrets/public-key',
    );
    expect(spec.matchPath('POST', '/repos/acme/infra/actions/secrets/KEY')).toBeNull();
  });

  it('reads `nullable` as null allowed, and only there', () => {
    expect(spec.validateResponseBody('GET', ALERT, 200, alert(), { strict: true })).toEqual([]);
    expect(spec.validateResponseBody('GET', ALERT, 200, alert({ secret_type: null }))).toEqual([
      expect.stringContaining('/secret_type must be string'),
    ]);
    expect(spec.validateResponseBody('GET', ALERT, 200, alert({ resolution: 'pattern_deleted' }))).toEqual([
      expect.stringContaining('/resolution must be equal to one of the allowed values'),
    ]);
  });

  it('strictly, an invented field fails, also inside a $ref’d location', () => {
    expect(spec.validateResponseBody('GET', ALERT, 200, alert({ leaked_by: 'x' }), { strict: true })).toEqual(
      [expect.stringContaining("'leaked_by'")],
    );
    const location = {
      type: 'commit',
      details: {
        path: 'a.tf',
        start_line: 1,
        end_line: 1,
        start_column: 1,
        end_column: 2,
        blob_sha: 'b',
        blob_url: 'u',
        commit_sha: 'c',
        commit_url: 'u',
        author: 'someone',
      },
    };
    expect(
      spec.validateResponseBody('GET', LOCATIONS, 200, [location], { strict: true }).length,
    ).toBeGreaterThan(0);
    const { author: _author, ...details } = location.details;
    expect(
      spec.validateResponseBody('GET', LOCATIONS, 200, [{ ...location, details }], { strict: true }),
    ).toEqual([]);
  });

  it('checks request bodies: the sealed value’s base64, key_id required, token permissions’ levels', () => {
    expect(spec.validateRequestBody('PUT', SECRET, { encrypted_value: 'c2VjcmV0', key_id: '1' })).toEqual([]);
    expect(spec.validateRequestBody('PUT', SECRET, { encrypted_value: 'not base64!', key_id: '1' })).toEqual([
      expect.stringContaining('/encrypted_value must match pattern'),
    ]);
    expect(spec.validateRequestBody('PUT', SECRET, { encrypted_value: 'c2VjcmV0' })).toEqual([
      expect.stringContaining("must have required property 'key_id'"),
    ]);
    expect(spec.validateRequestBody('PUT', SECRET, undefined)).toHaveLength(1);
    // Minting a token takes an optional body (`required: false`).
    expect(spec.validateRequestBody('POST', TOKENS, undefined)).toEqual([]);
    expect(spec.validateRequestBody('POST', TOKENS, { permissions: { secrets: 'admin' } })).toEqual([
      expect.stringContaining('/permissions/secrets must be equal to one of the allowed values'),
    ]);
    expect(spec.validateRequestBody('PATCH', ALERT, { resolution: 'revoked' })).toContain(
      'body must match a schema in anyOf',
    );
  });

  it('checks query parameters: declared, and of their type', () => {
    expect(spec.validateQuery('GET', ALERT, 'hide_secret=false')).toEqual([]);
    expect(spec.validateQuery('GET', ALERT, 'hide_secret=yes')).toEqual([
      expect.stringContaining('query.hide_secret must be boolean'),
    ]);
    expect(spec.validateQuery('GET', LOCATIONS, 'per_page=100&page=2')).toEqual([]);
    expect(spec.validateQuery('GET', LOCATIONS, 'per_page=many')).toEqual([
      expect.stringContaining('query.per_page must be integer'),
    ]);
    expect(spec.validateQuery('GET', LOCATIONS, 'cursor=x')).toEqual([
      "query parameter 'cursor' is not declared",
    ]);
  });

  it('holds errors the spec leaves without a body to basic-error, and a 422 to validation-error', () => {
    // PATCH declares its 400 by description only; the Actions-secret operations declare no error at all.
    expect(
      spec.validateResponseBody(
        'PATCH',
        ALERT,
        400,
        { message: 'x', documentation_url: 'd', status: '400' },
        { strict: true },
      ),
    ).toEqual([]);
    expect(spec.validateResponseBody('PATCH', ALERT, 400, { message: 'x', status: 400 })).toEqual([
      expect.stringContaining('/status must be string'),
    ]);
    expect(
      spec.validateResponseBody('PUT', SECRET, 404, { message: 'Not Found', code: 'gone' }, { strict: true }),
    ).toEqual([expect.stringContaining("'code'")]);
    expect(spec.validateResponseBody('PUT', SECRET, 422, { message: 'Validation Failed' })).toEqual([
      expect.stringContaining("must have required property 'documentation_url'"),
    ]);
    expect(spec.validateResponseBody('PUT', SECRET, 204, { unexpected: true })).toEqual([
      'status 204 declares no JSON body',
    ]);
    expect(spec.validateResponseBody('PUT', SECRET, 302, {})).toEqual([
      expect.stringContaining('not declared'),
    ]);
  });
});

describe.skipIf(!webhookSchema)('the secret_scanning_alert webhook schema as a contract', () => {
  let fake: FakeGitHub;
  let payload: Record<string, unknown>;
  beforeAll(async () => {
    fake = await startFakeGitHub({ clock: new ManualClock('2026-09-01T08:00:00Z') });
    fake.addRepository('acme/infra');
    const handle = fake.addAlert('acme/infra', { secret: '4b1dZ' });
    // Delivered to the fake itself: the answer (404) does not matter, the payload it sent does.
    payload = (await fake.sendAlertWebhook(`${fake.url}/hook`, 'hook-secret', handle)).payload as Record<
      string,
      unknown
    >;
  });
  afterAll(async () => {
    await fake.close();
  });

  it('takes the fake’s payload, strictly', () => {
    expect(webhookSchema!.validate(payload, { strict: true })).toEqual([]);
  });

  it('refuses the `revoked` action the old community schema still lists', () => {
    expect(webhookSchema!.validate({ ...payload, action: 'revoked' })).not.toEqual([]);
  });

  it('refuses, strictly, a webhook alert that carries the secret (GitHub’s never does)', () => {
    const alertWithSecret = { ...(payload.alert as Record<string, unknown>), secret: '4b1dZ' };
    expect(webhookSchema!.validate({ ...payload, alert: alertWithSecret })).toEqual([]);
    expect(webhookSchema!.validate({ ...payload, alert: alertWithSecret }, { strict: true })).not.toEqual([]);
  });

  it('refuses a payload without its repository', () => {
    const { repository: _repository, ...rest } = payload;
    expect(webhookSchema!.validate(rest)).not.toEqual([]);
  });
});
