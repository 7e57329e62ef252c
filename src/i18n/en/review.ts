/** `/chkey review` (src/views/review.ts). */
export const review = {
  title: 'Keys to review',
  stale: '💤 not used since {when}',
  staleNeverUsed: '💤 never used',
  noOwner: '👤 no Keyhouse owner (made outside Keyhouse)',
  ownerDeactivated: '👤 its owner is deactivated in Slack',
  retiring: '🔁 retiring after a rotation',
  noFingerprint: '🔏 no fingerprint of its secret on record',
  nothing:
    'Nothing to review: no stale keys (unused for {staleAfter}), none without an owner, none retiring.',
  nothingStaleOff:
    'Nothing to review: staleness is off in the policy, no key is without an owner, none is retiring.',
} as const;
