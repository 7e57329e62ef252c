export {
  AmbiguousCreateError,
  ApiConnectionError,
  ApiTimeoutError,
  AuthenticationError,
  BadRequestError,
  ClickHouseApiError,
  ConflictError,
  InternalServerError,
  InvalidResponseError,
  makeApiError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
} from '../core/api-errors.js';
export { type BudgetLane, currentLane, runAs, urgently } from '../core/budget.js';
export {
  ClickHouseCloudClient,
  type ClickHouseCloudClientOptions,
  type CreatedKey,
} from './client.js';
export { SlidingWindowLimiter, type SlidingWindowLimiterOptions, type Turn } from './limiter.js';
export type { CreateKeyInput, LegacyRole, UpdateKeyInput } from './requests.js';
export { ROUTES, type RouteName } from './routes.js';
export type { Activity, ApiKey, AssignedRole, IpAccessEntry, Organization, Role } from './schemas.js';
export type { ApiObserver, ClientStats, RetryPolicy } from './transport.js';
