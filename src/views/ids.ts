/**
 * Every id Slack echoes back to us, in one place: views render them, handlers route on them.
 * Values carried by buttons are only record ids; handlers re-read everything from the store.
 */
export const CALLBACK = {
  requestModal: 'keyhouse.request',
  denyModal: 'keyhouse.deny',
  editModal: 'keyhouse.edit',
  deleteModal: 'keyhouse.delete',
  rotateModal: 'keyhouse.rotate',
  extendModal: 'keyhouse.extend',
  reassignModal: 'keyhouse.reassign',
  liftLeakModal: 'keyhouse.lift_leak',
} as const;

export const ACTION = {
  approve: 'keyhouse.approve',
  deny: 'keyhouse.deny',
  createKey: 'keyhouse.create_key',
  dismissSecret: 'keyhouse.dismiss_secret',
  roleSelect: 'keyhouse.role',
  expirySelect: 'keyhouse.expiry',
  keyNameInput: 'keyhouse.key_name',
  reasonInput: 'keyhouse.reason',
  ipListInput: 'keyhouse.ip_list',
  /** The services a key of a role scoped to services may reach (product.md §16); values are service ids. */
  servicesSelect: 'keyhouse.services',
  denyReasonInput: 'keyhouse.deny_reason',
  /** The per-key overflow menu; option values are `<verb>:<key uuid>` (see `KEY_VERBS`). */
  keyMenu: 'keyhouse.key_menu',
  /**
   * Next and Previous in a key list; the value is `<scope>:<page>`. Slack refuses one action_id
   * twice in a block, so the two buttons need two ids; Next keeps the id both buttons once shared,
   * so list messages posted before still page.
   */
  listPage: 'keyhouse.list_page',
  listPagePrevious: 'keyhouse.list_page_previous',
  editName: 'keyhouse.edit_name',
  editRole: 'keyhouse.edit_role',
  editExpiry: 'keyhouse.edit_expiry',
  editReason: 'keyhouse.edit_reason',
  /** Expiry warning buttons (the `lifecycle` handlers answer them); the value is the key UUID. */
  extendKey: 'extend_key',
  rotateKey: 'rotate_key',
  /** The stale-key DM's choices; the value is the key UUID. */
  staleKeep: 'keyhouse.stale_keep',
  staleDisable: 'keyhouse.stale_disable',
  staleDelete: 'keyhouse.stale_delete',
  rotateOverlap: 'keyhouse.rotate_overlap',
  rotateExpiry: 'keyhouse.rotate_expiry',
  rotateReason: 'keyhouse.rotate_reason',
  extendExpiry: 'keyhouse.extend_expiry',
  extendReason: 'keyhouse.extend_reason',
  reassignUser: 'keyhouse.reassign_user',
  liftLeakReason: 'keyhouse.lift_leak_reason',
  /** Next in `/chkey review`; the value is the page number. */
  reviewPage: 'keyhouse.review_page',
  /** Previous in `/chkey review` (Slack refuses one action_id twice in a block). */
  reviewPagePrevious: 'keyhouse.review_page_previous',
  /** The request modal's break-glass checkbox (product.md §15). */
  breakGlassCheck: 'keyhouse.break_glass',
  /** A break glass's review in the approval channel; the value is the request id. */
  breakGlassKeep: 'keyhouse.break_glass_keep',
  breakGlassRevoke: 'keyhouse.break_glass_revoke',
} as const;

export const KEY_VERBS = ['disable', 'enable', 'edit', 'rotate', 'delete', 'reassign', 'lift'] as const;
export type KeyVerb = (typeof KEY_VERBS)[number];

export const BLOCK = {
  keyName: 'key_name',
  role: 'role',
  /** The expiry block's id carries the role (`expiry:<roleId>`) so Slack resets the choice when the role changes. */
  expiryPrefix: 'expiry:',
  reason: 'reason',
  ipList: 'ip_list',
  services: 'services',
  denyReason: 'deny_reason',
  decisionActions: 'decision',
  claimActions: 'claim',
  secretActions: 'secret',
  listNav: 'list_nav',
  editName: 'edit_name',
  editRole: 'edit_role',
  /** Like the request modal, the edit modal's expiry block carries the role: `edit_expiry:<roleId>`. */
  editExpiryPrefix: 'edit_expiry:',
  editReason: 'edit_reason',
  expiryActions: 'expiry_actions',
  staleActions: 'stale_actions',
  rotateOverlap: 'rotate_overlap',
  rotateExpiry: 'rotate_expiry',
  rotateReason: 'rotate_reason',
  extendExpiry: 'extend_expiry',
  extendReason: 'extend_reason',
  reassignUser: 'reassign_user',
  liftLeakReason: 'lift_leak_reason',
  reviewNav: 'review_nav',
  /** A modal's "working…" line, and its outcome (product.md §1, "Acknowledgements"). */
  progress: 'progress',
  outcomeOk: 'outcome_ok',
  outcomeFailed: 'outcome_failed',
  /** Under an input of a re-rendered form: an error found only after ClickHouse answered. */
  fieldErrorSuffix: ':error',
  /** The audit chain's daily head in the security channel. */
  auditHead: 'audit_head',
  /** The request modal's break-glass choice, and a break glass's Keep / Revoke. */
  breakGlass: 'break_glass',
  breakGlassReview: 'break_glass_review',
} as const;

/** The block holding one key of a list: `keys|<scope>|<page>|<key uuid>`, so a click knows where it was. */
export function keyBlockId(scope: string, page: number, keyId: string): string {
  return `keys|${scope}|${page}|${keyId}`;
}

export function expiryBlockId(roleId: string): string {
  return `${BLOCK.expiryPrefix}${roleId}`;
}

/**
 * A key in the security channel's offboarding report: `offboard|<key uuid>`. Not a list block, so
 * a menu click there shows its outcome in the admin's App Home instead of replacing the report.
 */
export function offboardBlockId(keyId: string): string {
  return `offboard|${keyId}`;
}
