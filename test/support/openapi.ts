/**
 * Contract checks against the official OpenAPI documents in `../shared/ref/`: ClickHouse Cloud's (the
 * default), GitHub's REST subset (`GITHUB_REST`) and any other (e.g. Vault's, see `vault-contract.ts`).
 *
 * Ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1) compiles schemas out of the spec itself: the
 * document is registered under an id and each operation's schema is referenced by JSON pointer, so the
 * spec's own `#/components/schemas/…` refs resolve inside it and nothing is copied or hand-written. An
 * OpenAPI 3.0 document (GitHub's, Vault's) differs from JSON Schema in one keyword its schemas use,
 * `nullable`, which is rewritten into the JSON Schema it means before compiling (`fromOpenApi30`), as
 * `extract-github-subset.mjs` does for the webhook schema.
 *
 * Typical use, with the emulator recording every exchange:
 * ```ts
 * const contract = requirement(loadOpenApiContract(), '../shared/ref/… not found');
 * for (const exchange of emulator.requests) expect(contract.validateExchange(exchange)).toEqual([]);
 * ```
 */
import { readFileSync } from 'node:fs';
import Ajv2020Module, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { sharedRef } from './requirements.js';

// Both packages are CommonJS with a `default` export; under NodeNext the class sits on `.default`.
const Ajv2020 = Ajv2020Module.default;
const addFormats = addFormatsModule.default;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export interface ValidationOptions {
  /**
   * Also reject object properties the schema does not declare. Always on for request bodies; for
   * response bodies off by default (the live API may add fields a tolerant client must ignore), but
   * worth turning on when the body comes from our own emulator, which must not invent fields either.
   */
  strict?: boolean;
}

/**
 * Where an error answer (status ≥ 400) is checked when its operation declares no JSON body for it: the
 * same operation's answer for another status, a schema of the document (a JSON pointer such as
 * `/components/schemas/basic-error`), or nowhere (null: the status must be declared with its body).
 */
export type ErrorBodyRule = { status: string } | { schema: string } | null;

/** Where a description lives, how its paths and formats read, and how it treats what it leaves undeclared. */
export interface OpenApiSource {
  /** File name in `../shared/ref/`. */
  file: string;
  /** What the description's `servers` entry puts before every path on the wire (Vault: `/v1`). */
  basePath?: string;
  /** Whether a path parameter may span several segments (Vault's `{path}`: a KV path holds slashes). */
  multiSegmentParams?: boolean;
  /** Formats the description uses beyond JSON Schema's: `true` accepts anything, a RegExp must match. */
  formats?: Record<string, true | RegExp>;
  /**
   * Corrections to the description where its own publisher's docs say otherwise, applied to a copy
   * before compiling; each must say where the correction comes from.
   */
  amend?: (document: { components: JsonObject; paths: JsonObject }) => void;
  /** Where an error answer the operation leaves without a body is checked; default nowhere. */
  errorBody?: (status: number) => ErrorBodyRule;
}

/**
 * ClickHouse's spec declares only 200/400/500 for the key and organization operations, yet the live API
 * also answers 401, 403, 404 and 429: an undeclared 4xx is checked against the operation's 400 error
 * envelope, an undeclared 5xx against its 500.
 */
export const CLICKHOUSE_CLOUD: OpenApiSource = {
  file: 'clickhouse-cloud-openapi.json',
  // Non-standard formats the spec uses; they carry no constraint.
  formats: { password: true, boolean: true },
  errorBody: (status) => (status < 500 ? { status: '400' } : { status: '500' }),
};

/**
 * GitHub's REST subset declares no errors at all for the Actions-secret operations, and several errors of
 * the secret-scanning ones without a body, though GitHub sends one: an undeclared or body-less 422 is held
 * to `validation-error`, any other error to `basic-error` (github-and-vault.md §2 and §8).
 */
export const GITHUB_REST: OpenApiSource = {
  file: 'github-rest-subset.openapi.json',
  errorBody: (status) => ({
    schema: status === 422 ? '/components/schemas/validation-error' : '/components/schemas/basic-error',
  }),
};

/** What `validateExchange` needs; `RecordedRequest` from the emulator and the fakes has this shape. */
export interface Exchange {
  method: string;
  /** Concrete path, e.g. `/v1/organizations/<uuid>/keys`. */
  path: string;
  /** The raw query string, when recorded; its parameters are then checked too. */
  query?: string;
  /** HTTP status of the answer; 0 means none was received. */
  status: number;
  /** Request body; `undefined` when none was sent. */
  body: unknown;
  /** Response body as received (parsed JSON). */
  response: unknown;
}

/** A description loaded for checks: whole exchanges, each part of one, and any schema in it. */
export interface OpenApiContract {
  /** `[]` when the body fits the request schema (undeclared properties rejected); else violations. */
  validateRequestBody(method: string, pathTemplate: string, body: unknown): string[];
  /**
   * `[]` when the body fits the response schema for `status`; an error the operation does not declare
   * with a body is checked as the source's `errorBody` says.
   */
  validateResponseBody(
    method: string,
    pathTemplate: string,
    status: number,
    body: unknown,
    options?: ValidationOptions,
  ): string[];
  /** `[]` when every query parameter is declared for the operation and its value fits its schema. */
  validateQuery(method: string, pathTemplate: string, query: string): string[];
  /** The spec's path template a concrete path belongs to, for that method; null when none. */
  matchPath(method: string, concretePath: string): string | null;
  /** Both bodies of one exchange, after `matchPath`; violations are prefixed with `request`/`response`. */
  validateExchange(exchange: Exchange, options?: ValidationOptions): string[];
  /** `[]` when `body` fits the schema at `schemaPointer` (e.g. `/components/schemas/VaultError`). */
  validateSchema(
    schemaPointer: string,
    body: unknown,
    options?: ValidationOptions & { root?: string },
  ): string[];
  /** The operation at `method` and `template`, with its path item (for vendor extensions); null when none. */
  operation(method: string, template: string): Operation | null;
}

export type JsonObject = Record<string, unknown>;

export interface Operation {
  operationId: string | null;
  /** The path item the operation belongs to (its `x-…` extensions, shared parameters). */
  pathItem: JsonObject;
  /** JSON pointer (inside the document) of the JSON request body schema, if the operation takes one. */
  requestSchema: string | null;
  /**
   * Whether that body must be sent. OpenAPI's default is optional, but ClickHouse's spec never says
   * `required` and its API needs the bodies it describes; GitHub's says `required: false` where a body may
   * be left out (minting an installation token). So only an explicit `required: false` makes it optional.
   */
  requestRequired: boolean;
  /** Status code (`200`, `4XX`, `default`) → JSON pointer of its JSON body schema, or null when bodiless. */
  responses: Map<string, string | null>;
  /** Query parameter name → JSON pointer of its schema, and whether it is required. */
  query: Map<string, { schema: string; required: boolean }>;
}

interface PathEntry {
  template: string;
  pattern: RegExp;
  literalSegments: number;
  operations: Map<string, Operation>;
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function pointer(...segments: string[]): string {
  return segments.map((segment) => `/${segment.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

/** The value at a JSON pointer (`/components/schemas/basic-error`) of the document. */
function at(doc: JsonObject, path: string): unknown {
  let target: unknown = doc;
  for (const segment of path.split('/').slice(1)) {
    const key = segment.replaceAll('~1', '/').replaceAll('~0', '~');
    target = isObject(target) ? target[key] : undefined;
  }
  return target;
}

/** A `$ref` inside the document (`#/components/responses/not_found`): the object and its pointer. */
function follow(doc: JsonObject, node: unknown, base: string): { node: unknown; base: string } {
  if (!isObject(node) || typeof node.$ref !== 'string' || !node.$ref.startsWith('#/')) return { node, base };
  const path = node.$ref.slice(1);
  return { node: at(doc, path), base: path };
}

/** The `application/json` schema's pointer under a request body or response object, `$ref` followed. */
function jsonSchemaPointer(doc: JsonObject, reference: unknown, referenceBase: string): string | null {
  const { node: holder, base } = follow(doc, reference, referenceBase);
  if (!isObject(holder) || !isObject(holder.content)) return null;
  const mediaType = Object.keys(holder.content).find(
    (type) => type.split(';')[0]?.trim() === 'application/json',
  );
  if (mediaType === undefined || !isObject((holder.content[mediaType] as JsonObject | undefined)?.schema))
    return null;
  return `${base}${pointer('content', mediaType, 'schema')}`;
}

/** The operation's query parameters (its own and its path item's), `$ref`s followed. */
function queryParameters(
  doc: JsonObject,
  lists: { node: unknown; base: string }[],
): Map<string, { schema: string; required: boolean }> {
  const query = new Map<string, { schema: string; required: boolean }>();
  for (const list of lists) {
    if (!Array.isArray(list.node)) continue;
    list.node.forEach((entry, index) => {
      const { node: parameter, base } = follow(doc, entry, `${list.base}/${index}`);
      if (!isObject(parameter) || parameter.in !== 'query' || typeof parameter.name !== 'string') return;
      if (!isObject(parameter.schema)) return;
      query.set(parameter.name, { schema: `${base}/schema`, required: parameter.required === true });
    });
  }
  return query;
}

function indexOperation(doc: JsonObject, template: string, method: string, item: JsonObject): Operation {
  const op = item[method] as JsonObject;
  const base = pointer('paths', template, method);
  const responses = new Map<string, string | null>();
  for (const [code, response] of Object.entries(isObject(op.responses) ? op.responses : {})) {
    responses.set(
      code.toUpperCase(),
      jsonSchemaPointer(doc, response, `${base}${pointer('responses', code)}`),
    );
  }
  return {
    operationId: typeof op.operationId === 'string' ? op.operationId : null,
    pathItem: item,
    requestSchema: jsonSchemaPointer(doc, op.requestBody, `${base}${pointer('requestBody')}`),
    requestRequired: !isObject(op.requestBody) || op.requestBody.required !== false,
    responses,
    query: queryParameters(doc, [
      { node: item.parameters, base: pointer('paths', template, 'parameters') },
      { node: op.parameters, base: `${base}${pointer('parameters')}` },
    ]),
  };
}

function indexPaths(
  doc: { components: JsonObject; paths: JsonObject },
  multiSegmentParams: boolean,
): PathEntry[] {
  const param = multiSegmentParams ? '.+' : '[^/]+';
  return Object.entries(doc.paths).map(([template, item]) => {
    const operations = new Map<string, Operation>();
    for (const method of METHODS) {
      if (isObject(item) && isObject(item[method]))
        operations.set(method, indexOperation(doc, template, method, item));
    }
    const segments = template.split('/');
    const source = segments
      .map((segment) => (/^\{[^}]+\}$/.test(segment) ? param : segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
      .join('/');
    return {
      template,
      pattern: new RegExp(`^${source}$`),
      literalSegments: segments.filter((segment) => !segment.startsWith('{')).length,
      operations,
    };
  });
}

/**
 * The spec declares no `required` and no `additionalProperties` on the key schemas, so a plain check
 * accepts almost anything shaped like an object, including a body with a misspelt or invented field
 * that the live API would silently ignore. The strict copy closes every object schema that lists
 * `properties` with `unevaluatedProperties: false`. `unevaluated…` rather than `additional…` because it
 * sees properties evaluated through `$ref`/`allOf`/`oneOf`; direct branches of a composition stay open,
 * since closing a branch would reject its siblings' properties.
 */
export function closeObjectSchemas(node: unknown, isBranch = false): void {
  if (Array.isArray(node)) {
    for (const item of node) closeObjectSchemas(item);
    return;
  }
  if (!isObject(node)) return;
  if (
    isObject(node.properties) &&
    !isBranch &&
    node.additionalProperties === undefined &&
    node.unevaluatedProperties === undefined
  ) {
    node.unevaluatedProperties = false;
  }
  for (const [keyword, value] of Object.entries(node)) {
    if (keyword === 'properties' || keyword === 'patternProperties' || keyword === '$defs') {
      if (isObject(value)) for (const inner of Object.values(value)) closeObjectSchemas(inner);
    } else if (keyword === 'allOf' || keyword === 'anyOf' || keyword === 'oneOf') {
      if (Array.isArray(value)) for (const branch of value) closeObjectSchemas(branch, true);
    } else if (
      ['items', 'prefixItems', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains'].includes(
        keyword,
      )
    ) {
      closeObjectSchemas(value);
    }
  }
}

/** Every schema location in the document: component schemas and the inline request/response schemas. */
function closeDocument(doc: { components: JsonObject; paths: JsonObject }): void {
  if (isObject(doc.components.schemas))
    for (const schema of Object.values(doc.components.schemas)) closeObjectSchemas(schema);
  for (const item of Object.values(doc.paths)) {
    if (!isObject(item)) continue;
    for (const method of METHODS) {
      const op = item[method];
      if (!isObject(op)) continue;
      const holders = [op.requestBody, ...Object.values(isObject(op.responses) ? op.responses : {})];
      for (const holder of holders) {
        if (!isObject(holder) || !isObject(holder.content)) continue;
        for (const media of Object.values(holder.content))
          if (isObject(media)) closeObjectSchemas(media.schema);
      }
    }
  }
}

export function describeError(error: ErrorObject, root: string): string {
  const at = `${root}${error.instancePath}`;
  if (error.keyword === 'unevaluatedProperties') {
    return `${at} has a property the spec does not declare: '${String(error.params.unevaluatedProperty)}'`;
  }
  if (error.keyword === 'enum') {
    return `${at} ${error.message}: ${(error.params.allowedValues as unknown[]).map(String).join(', ')}`;
  }
  return `${at} ${error.message ?? error.keyword}`;
}

/**
 * OpenAPI 3.0's `nullable: true` as JSON Schema: `null` joins the `type` (and the `enum`), or, for a schema
 * without a `type` (an `allOf` or `anyOf` wrapper), the schema becomes `anyOf: [itself, {type: null}]`.
 */
function fromOpenApi30(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(fromOpenApi30);
  if (!isObject(node)) return node;
  const converted = Object.fromEntries(
    Object.entries(node).map(([key, value]) => [key, fromOpenApi30(value)]),
  );
  if (converted.nullable !== true) return converted;
  const { nullable: _nullable, ...schema } = converted;
  if (typeof schema.type === 'string') {
    return {
      ...schema,
      type: [schema.type, 'null'],
      ...(Array.isArray(schema.enum) ? { enum: [...schema.enum, null] } : {}),
    };
  }
  return { anyOf: [schema, { type: 'null' }] };
}

/** A query string value as its parameter's schema types it (`per_page=30` is an integer). */
function typedQueryValue(raw: string, schema: unknown): unknown {
  const type = isObject(schema) ? schema.type : undefined;
  if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  if (type === 'boolean' && (raw === 'true' || raw === 'false')) return raw === 'true';
  return raw;
}

/** A description's checks, or null when `../shared/ref/` is absent (the caller skips via `requirement()`). */
export function loadOpenApiContract(source: OpenApiSource = CLICKHOUSE_CLOUD): OpenApiContract | null {
  const file = sharedRef(source.file);
  if (!file) return null;
  const spec = JSON.parse(readFileSync(file, 'utf8')) as {
    openapi?: string;
    components?: JsonObject;
    paths?: JsonObject;
  };
  const amended = structuredClone({ components: spec.components ?? {}, paths: spec.paths ?? {} });
  source.amend?.(amended);
  const openApi30 = spec.openapi?.startsWith('3.0.') === true;
  const document = (openApi30 ? fromOpenApi30(amended) : amended) as {
    components: JsonObject;
    paths: JsonObject;
  };
  const index = indexPaths(document, source.multiSegmentParams === true);
  const basePath = source.basePath ?? '';
  const docId = `https://keyhouse.invalid/${source.file}`;
  const strictDocId = `https://keyhouse.invalid/strict/${source.file}`;

  // strict: false: the spec uses OpenAPI keywords (`example`, `externalDocs`) that are not JSON Schema.
  const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
  addFormats(ajv);
  for (const [name, format] of Object.entries(source.formats ?? {})) ajv.addFormat(name, format);
  ajv.addSchema({ $id: docId, ...document }, docId);
  const strictDoc = structuredClone(document);
  closeDocument(strictDoc);
  ajv.addSchema({ $id: strictDocId, ...strictDoc }, strictDocId);

  const compiled = new Map<string, ValidateFunction>();
  function validatorFor(schemaPointer: string, strict: boolean): ValidateFunction {
    const ref = `${strict ? strictDocId : docId}#${schemaPointer}`;
    let validate = compiled.get(ref);
    if (!validate) {
      validate = ajv.compile({ $ref: ref });
      compiled.set(ref, validate);
    }
    return validate;
  }
  function check(schemaPointer: string, strict: boolean, body: unknown, root: string): string[] {
    const validate = validatorFor(schemaPointer, strict);
    return validate(body) ? [] : (validate.errors ?? []).map((error) => describeError(error, root));
  }
  function operation(method: string, template: string): Operation | null {
    return index.find((entry) => entry.template === template)?.operations.get(method.toLowerCase()) ?? null;
  }
  /** The schema an answer is held to: its status's, its family's or the default, else the error rule's. */
  function responseSchema(op: Operation, status: number): string | null | undefined {
    const family = `${Math.floor(status / 100)}XX`;
    const code = [String(status), family, 'DEFAULT'].find((candidate) => op.responses.has(candidate));
    const declared = code === undefined ? undefined : (op.responses.get(code) ?? null);
    if (status < 400 || (declared !== undefined && declared !== null)) return declared;
    const rule = source.errorBody?.(status) ?? null;
    if (rule !== null && 'schema' in rule) return rule.schema;
    if (rule !== null && op.responses.has(rule.status)) return op.responses.get(rule.status);
    return declared;
  }

  const contract: OpenApiContract = {
    validateSchema(schemaPointer, body, options = {}) {
      return check(schemaPointer, options.strict ?? false, body, options.root ?? 'body');
    },

    operation,

    matchPath(method, concretePath) {
      const onWire = concretePath.split('?')[0] ?? concretePath;
      if (!onWire.startsWith(basePath)) return null;
      const path = onWire.slice(basePath.length);
      const candidates = index.filter(
        (entry) => entry.operations.has(method.toLowerCase()) && entry.pattern.test(path),
      );
      // A literal segment beats a parameter: `/keys` over `/{anything}`.
      candidates.sort((a, b) => b.literalSegments - a.literalSegments);
      return candidates[0]?.template ?? null;
    },

    validateRequestBody(method, template, body) {
      const op = operation(method, template);
      if (!op) return [`the spec has no operation ${method.toUpperCase()} ${template}`];
      if (op.requestSchema === null) {
        return body === undefined ? [] : [`${method.toUpperCase()} ${template} takes no request body`];
      }
      if (body === undefined) {
        return op.requestRequired ? [`${method.toUpperCase()} ${template} expects a JSON request body`] : [];
      }
      return check(op.requestSchema, true, body, 'body');
    },

    validateResponseBody(method, template, status, body, options = {}) {
      const op = operation(method, template);
      if (!op) return [`the spec has no operation ${method.toUpperCase()} ${template}`];
      const schemaPointer = responseSchema(op, status);
      if (schemaPointer === undefined) {
        return [`status ${status} is not declared for ${method.toUpperCase()} ${template}`];
      }
      if (schemaPointer === null) {
        return body === undefined || body === null || body === ''
          ? []
          : [`status ${status} declares no JSON body`];
      }
      return check(schemaPointer, options.strict ?? false, body, 'body');
    },

    validateQuery(method, template, query) {
      const op = operation(method, template);
      if (!op) return [`the spec has no operation ${method.toUpperCase()} ${template}`];
      const params = new URLSearchParams(query);
      const violations: string[] = [];
      for (const [name, declared] of op.query) {
        if (declared.required && !params.has(name)) violations.push(`query lacks required '${name}'`);
      }
      for (const [name, raw] of params) {
        const declared = op.query.get(name);
        if (declared === undefined) {
          violations.push(`query parameter '${name}' is not declared`);
          continue;
        }
        const schema = follow(document, at(document, declared.schema), declared.schema).node;
        violations.push(...check(declared.schema, false, typedQueryValue(raw, schema), `query.${name}`));
      }
      return violations;
    },

    validateExchange(exchange, options) {
      const template = contract.matchPath(exchange.method, exchange.path);
      if (template === null)
        return [`the spec has no operation ${exchange.method.toUpperCase()} ${exchange.path}`];
      const request = [
        ...contract.validateRequestBody(exchange.method, template, exchange.body),
        ...(exchange.query === undefined
          ? []
          : contract.validateQuery(exchange.method, template, exchange.query)),
      ].map((violation) => `request ${violation}`);
      const response =
        exchange.status === 0
          ? ['response: none received']
          : contract
              .validateResponseBody(exchange.method, template, exchange.status, exchange.response, options)
              .map((violation) => `response ${violation}`);
      return [...request, ...response];
    },
  };
  return contract;
}
