/**
 * Checks against a JSON Schema in `../shared/ref/`: the `secret_scanning_alert` webhook body
 * (`github-webhook-secret-scanning-alert.schema.json`, draft-07, a `oneOf` over its nine actions).
 *
 * It is compiled by the same Ajv (2020-12) as the OpenAPI contracts, which reads draft-07's
 * `definitions` and `$ref`s alike; a strict copy closes every object schema, as the OpenAPI strict
 * mode does (`closeObjectSchemas`), so a fake's payload cannot carry a field GitHub does not describe.
 */
import { readFileSync } from 'node:fs';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { closeObjectSchemas, describeError } from './openapi.js';
import { sharedRef } from './requirements.js';

const Ajv2020 = Ajv2020Module.default;
const addFormats = addFormatsModule.default;

export interface JsonSchemaCheck {
  /** `[]` when `value` fits; else the violations. `strict` also rejects undeclared properties. */
  validate(value: unknown, options?: { strict?: boolean }): string[];
}

export const WEBHOOK_SCHEMA_FILE = 'github-webhook-secret-scanning-alert.schema.json';

/** The schema's check, or null when `../shared/ref/` is absent (the caller skips via `requirement()`). */
export function loadJsonSchema(name: string): JsonSchemaCheck | null {
  const file = sharedRef(name);
  if (!file) return null;
  const { $schema: _draft, ...schema } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const strict = structuredClone(schema);
  closeObjectSchemas(strict);
  for (const definition of Object.values((strict.definitions ?? {}) as Record<string, unknown>)) {
    closeObjectSchemas(definition);
  }
  const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
  addFormats(ajv);
  const loose = ajv.compile(schema);
  const closed = ajv.compile(strict);
  return {
    validate(value, options = {}) {
      const validate = options.strict ? closed : loose;
      return validate(value) ? [] : (validate.errors ?? []).map((error) => describeError(error, 'payload'));
    },
  };
}
