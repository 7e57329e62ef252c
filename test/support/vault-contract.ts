/**
 * Contract checks of Vault traffic against `../shared/ref/vault-kv2-approle.openapi.json`.
 *
 * That file is Vault's own generated description (cut to the operations used) plus parts written by hand
 * from HashiCorp's docs, each marked `x-hand-made`. The generated part describes request bodies fully, but
 * of a response only its `data` member (KV) or nothing at all (login, lookup-self). So an answer is
 * checked in layers, and each layer says where its rule comes from:
 *
 * - every JSON answer against the hand-made `VaultResponseEnvelope`, every error against `VaultError`;
 * - the status against the generated operation's responses, but for the one swap the docs allow (a
 *   documented 204 may come back as a 200 that carries warnings);
 * - the envelope's `data` against the generated response schema, where the operation declares one;
 * - the members the generated part leaves blank against the hand-made schemas that `x-keyhouse-notes`
 *   names for them (lookup-self's `data`, a KV read's `data.metadata`, a KV write's `data`, login's
 *   `auth`).
 *
 * One correction is applied first, with its evidence: `custom_metadata` may be null
 * (`customMetadataMayBeNull`).
 *
 * A `LIST` (or `GET ?list=true`) is not in the description at all: such an exchange is reported with
 * `operationId: null`, and only the hand-made envelope and error shapes, and the fact sheet's `data.keys`
 * (github-and-vault.md §10), are checked.
 *
 * Requests: the body against the generated request schema (strictly: no undeclared member), a token on
 * every call but login (`x-vault-unauthenticated`), and the expected `X-Vault-Namespace` on every call.
 */
import { type JsonObject, loadOpenApiContract, type OpenApiContract } from './openapi.js';

export const VAULT_SPEC_FILE = 'vault-kv2-approle.openapi.json';

/** What the checks need of one exchange; the fake's `RecordedVaultRequest` has this shape. */
export interface VaultExchange {
  method: string;
  /** Path on the wire, with `/v1`. */
  path: string;
  /** `?…` or empty. */
  query: string;
  /** 0 when no answer came (a dropped or hung connection). */
  status: number;
  body: unknown;
  response: unknown;
  tokenSent: boolean;
  namespace: string | null;
}

export interface VaultCheck {
  /** The operation in the description; null for one it lacks (a LIST) or a path it does not have. */
  operationId: string | null;
  request: string[];
  /** Empty, too, when no answer came: there was nothing to check. */
  response: string[];
}

export interface VaultContract {
  readonly document: OpenApiContract;
  /** Checks one exchange; `namespace` is what every request should have carried (null: none). */
  check(exchange: VaultExchange, expected: { namespace: string | null }): VaultCheck;
}

const schema = (name: string) => `/components/schemas/${name}`;
const ENVELOPE = schema('VaultResponseEnvelope');
const ERROR = schema('VaultError');

/** `x-keyhouse-notes`: the hand-made schema for each member the generated operation leaves undescribed. */
const HAND_MADE_MEMBERS: Record<
  string,
  { member: (body: Record<string, unknown>) => unknown; at: string; schema: string }[]
> = {
  'token-look-up-self': [
    { member: (body) => body.data, at: 'body.data', schema: schema('TokenLookupSelfData') },
  ],
  'kv-v2-read': [
    {
      member: (body) => asObject(body.data)?.metadata,
      at: 'body.data.metadata',
      schema: schema('KvV2VersionMetadata'),
    },
  ],
  'kv-v2-write': [{ member: (body) => body.data, at: 'body.data', schema: schema('KvV2VersionMetadata') }],
  'app-role-login': [{ member: (body) => body.auth, at: 'body.auth', schema: schema('VaultAuth') }],
};

/** Go durations (`0s`, `768h`, `1h30m`), the `duration` format of Vault's generated schemas. */
const GO_DURATION = /^(0|-?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+)$/;

/**
 * Vault's generator writes no `nullable` anywhere, yet `custom_metadata` is documented as
 * `(map<string|string>: nil)` and comes back as `"custom_metadata": null` when unset (kv-v2.mdx @
 * 61d6df6c, "Create/Update metadata" and the "Read secret subkeys" sample); the hand-made
 * `KvV2VersionMetadata` says so too. So the generated schemas' `custom_metadata` may be null as well;
 * nothing else is loosened.
 */
function customMetadataMayBeNull(document: { components: JsonObject }): void {
  const schemas = (document.components.schemas ?? {}) as Record<
    string,
    { properties?: JsonObject; 'x-hand-made'?: string }
  >;
  for (const generated of Object.values(schemas)) {
    const member = generated.properties?.custom_metadata as JsonObject | undefined;
    if (generated['x-hand-made'] === undefined && member !== undefined) member.nullable = true;
  }
}

/** The contract, or null when `../shared/ref/` is absent (the caller skips via `requirement()`). */
export function loadVaultContract(): VaultContract | null {
  const document = loadOpenApiContract({
    file: VAULT_SPEC_FILE,
    basePath: '/v1',
    multiSegmentParams: true,
    formats: { map: true, duration: GO_DURATION },
    amend: customMetadataMayBeNull,
  });
  if (document === null) return null;
  const strict = { strict: true } as const;

  function checkList(exchange: VaultExchange, request: string[]): VaultCheck {
    const response: string[] = [];
    if (exchange.body !== undefined) request.push('a LIST takes no body');
    if (exchange.status >= 400) response.push(...document!.validateSchema(ERROR, exchange.response, strict));
    else if (exchange.status !== 0) {
      response.push(...document!.validateSchema(ENVELOPE, exchange.response, strict));
      const keys = asObject(asObject(exchange.response)?.data)?.keys;
      if (!Array.isArray(keys) || !keys.every((key) => typeof key === 'string')) {
        response.push('body.data.keys must be an array of strings (github-and-vault.md §10)');
      }
    }
    return { operationId: null, request, response };
  }

  function checkAnswer(
    exchange: VaultExchange,
    operationId: string | null,
    responses: Map<string, string | null>,
  ): string[] {
    const { status, response } = exchange;
    if (status === 0) return [];
    if (status >= 400) return document!.validateSchema(ERROR, response, strict);
    const warned = (asObject(response)?.warnings as unknown[] | null | undefined)?.length ?? 0;
    const declared = responses.has(String(status)) || (status === 200 && responses.has('204') && warned > 0);
    if (!declared)
      return [`status ${status} is not declared (declared: ${[...responses.keys()].join(', ')})`];
    if (status === 204) return response === undefined ? [] : ['a 204 has no body'];
    const violations = document!.validateSchema(ENVELOPE, response, strict);
    const body = asObject(response) ?? {};
    const generated = responses.get(String(status));
    if (generated)
      violations.push(...document!.validateSchema(generated, body.data, { ...strict, root: 'body.data' }));
    for (const rule of HAND_MADE_MEMBERS[operationId ?? ''] ?? []) {
      violations.push(
        ...document!.validateSchema(rule.schema, rule.member(body), { ...strict, root: rule.at }),
      );
    }
    return violations;
  }

  return {
    document,
    check(exchange, expected) {
      const request: string[] = [];
      if (normalize(exchange.namespace) !== normalize(expected.namespace)) {
        request.push(
          `X-Vault-Namespace was ${exchange.namespace ?? 'absent'}, not ${expected.namespace ?? 'absent'}`,
        );
      }
      const query = new URLSearchParams(exchange.query);
      const method = exchange.method === 'PUT' ? 'POST' : exchange.method;
      if (method === 'LIST' || (method === 'GET' && query.get('list') === 'true')) {
        if (!exchange.tokenSent) request.push('a LIST needs X-Vault-Token');
        return checkList(exchange, request);
      }
      const template = document.matchPath(method, exchange.path);
      const operation = template === null ? null : document.operation(method, template);
      if (template === null || operation === null) {
        // Vault's answer to a path or method it does not have is still an error body.
        const response =
          exchange.status >= 400 || exchange.status === 0
            ? checkAnswer(exchange, null, new Map())
            : [`a ${exchange.status} for an operation the description lacks`];
        return {
          operationId: null,
          request: [...request, `the description has no ${method} ${exchange.path}`],
          response,
        };
      }
      const unauthenticated = operation.pathItem['x-vault-unauthenticated'] === true;
      if (unauthenticated && exchange.tokenSent)
        request.push(`${operation.operationId} is unauthenticated, yet a token was sent`);
      if (!unauthenticated && !exchange.tokenSent)
        request.push(`${operation.operationId} needs X-Vault-Token`);
      request.push(...document.validateRequestBody(method, template, exchange.body));
      return {
        operationId: operation.operationId,
        request,
        response: checkAnswer(exchange, operation.operationId, operation.responses),
      };
    },
  };
}

function normalize(namespace: string | null): string | null {
  return namespace === null ? null : namespace.replace(/\/+$/, '');
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
