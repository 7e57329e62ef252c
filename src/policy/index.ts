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
} from './duration.js';
export {
  type IpAccessEntry,
  isIpv4OrCidr,
  MAX_IP_DESCRIPTION,
  MAX_IP_ENTRIES,
  parseIpAccessList,
} from './ip-list.js';
export { loadPolicy, PolicyError, parsePolicy } from './load.js';
export { type ExpiryChoice, type GroupResolver, Policy, type PolicyOptions } from './policy.js';
export {
  DEFAULT_KEY_NAME_PATTERN,
  isGroupId,
  isUserId,
  LEGACY_KEY_ROLES,
  type LegacyKeyRole,
  MAX_KEY_NAME_LENGTH,
  MAX_REASON_LENGTH,
  MAX_ROLES,
  type PolicyDocument,
  type PolicyProblem,
  type PolicyRole,
  type RoleGrant,
  validatePolicy,
} from './schema.js';
