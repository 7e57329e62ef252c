export type {
  KvMetadata,
  KvRead,
  KvValue,
  KvVersionInfo,
  KvWritten,
  VaultAuth,
  VaultClientOptions,
  VaultRetryPolicy,
  VaultTokenInfo,
} from './client.js';
export { VaultClient } from './client.js';
export {
  makeVaultError,
  VaultApiError,
  VaultBadRequestError,
  VaultCasMismatchError,
  VaultConnectionError,
  VaultInvalidResponseError,
  VaultNotFoundError,
  type VaultOperation,
  VaultPermissionDeniedError,
  VaultRateLimitError,
  VaultServerError,
  VaultTimeoutError,
  VaultUnavailableError,
  VaultWriteUnknownError,
} from './errors.js';
export { checkKvPath, checkMount, checkNamespace, checkPathTemplate } from './paths.js';
export { type Capability, keyhousePolicy, type PolicyRule, policyGlob, policyHcl } from './policy.js';
