/**
 * Every id Slack echoes back to us, in one place: views render them, handlers route on them.
 * Values carried by buttons are only record ids; handlers re-read everything from the store.
 */
export const CALLBACK = {
  requestModal: 'keyhouse.request',
  denyModal: 'keyhouse.deny',
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
  denyReasonInput: 'keyhouse.deny_reason',
} as const;

export const BLOCK = {
  keyName: 'key_name',
  role: 'role',
  /** The expiry block's id carries the role (`expiry:<roleId>`) so Slack resets the choice when the role changes. */
  expiryPrefix: 'expiry:',
  reason: 'reason',
  ipList: 'ip_list',
  denyReason: 'deny_reason',
  decisionActions: 'decision',
  claimActions: 'claim',
  secretActions: 'secret',
} as const;

export function expiryBlockId(roleId: string): string {
  return `${BLOCK.expiryPrefix}${roleId}`;
}
