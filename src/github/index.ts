export type { AppPermissionLevel, AppPermissions } from './app-auth.js';
export {
  type ActionsSecretTarget,
  type AlertLocation,
  GitHubAppClient,
  type GitHubAppClientOptions,
  type GitHubClientStats,
  type GitHubRetryPolicy,
  type SecretScanningAlert,
  type SecretToWrite,
  type WrittenSecret,
} from './client.js';
export {
  GitHubApiError,
  GitHubAuthenticationError,
  GitHubBadRequestError,
  GitHubConnectionError,
  GitHubInvalidResponseError,
  GitHubNotFoundError,
  GitHubPermissionError,
  GitHubRateLimitError,
  GitHubServerError,
  GitHubTimeoutError,
  GitHubValidationError,
} from './errors.js';
export {
  parseRepository,
  type RepositoryName,
  ROUTES as GITHUB_ROUTES,
  type RouteName as GitHubRouteName,
} from './routes.js';
export type { SecretMetadata } from './schemas.js';
export { checkSecretName, MAX_SECRET_VALUE_BYTES } from './secret-names.js';
export {
  type SecretScanningAlertEvent,
  SecretScanningAlertEventSchema,
  verifyWebhookSignature,
} from './webhook.js';
