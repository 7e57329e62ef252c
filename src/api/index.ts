export {
  AmbiguousCreateError,
  AmbiguousRoleCreateError,
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
export type {
  CreateKeyInput,
  CreateRoleInput,
  LegacyRole,
  RolePolicyInput,
  UpdateKeyInput,
  UpdateRoleInput,
} from './requests.js';
export { ROUTES, type RouteName } from './routes.js';
export type {
  Activity,
  ApiKey,
  AssignedRole,
  IpAccessEntry,
  Organization,
  Role,
  RolePolicy,
  Service,
} from './schemas.js';
export type { ApiObserver, ClientStats, RetryPolicy } from './transport.js';
