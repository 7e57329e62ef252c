/** The policy engine: the policy file's schema and loader, and the answers to "who may do what". */
export {
  checkDuration,
  DAY_MS,
  DURATION_EXPECTED,
  DURATION_OR_NEVER_EXPECTED,
  durationText,
  formatDuration,
  HOUR_MS,
  parseDuration,
} from '../core/duration.js';
export {
  type IpAccessEntry,
  isIpv4OrCidr,
  MAX_IP_DESCRIPTION,
  MAX_IP_ENTRIES,
  parseIpAccessList,
} from './ip-list.js';
export { PolicyLines } from './lines.js';
export { type LocatedProblem, loadPolicy, PolicyError, parsePolicy } from './load.js';
export { type ExpiryChoice, type GroupResolver, Policy, type PolicyOptions } from './policy.js';
export {
  type ApprovalRemindersPolicy,
  type AutoApprovePolicy,
  type BreakGlassPolicy,
  DEFAULT_KEY_NAME_PATTERN,
  isGroupId,
  isUserId,
  LEAK_ACTIONS,
  LEGACY_KEY_ROLES,
  type LeakAction,
  type LegacyKeyRole,
  type LifecyclePolicy,
  type LimitsPolicy,
  MAX_KEY_NAME_LENGTH,
  MAX_REASON_LENGTH,
  MAX_ROLES,
  OFFBOARDING_ACTIONS,
  type OffboardingAction,
  type PolicyDocument,
  type PolicyProblem,
  type PolicyRole,
  type RoleGrant,
  type SecurityPolicy,
  UNMANAGED_KEY_ACTIONS,
  type UnmanagedKeyAction,
  validatePolicy,
} from './schema.js';
