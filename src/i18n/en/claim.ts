/** The requester's direct message after approval, with the Create key button (product.md §1). */
export const claim = {
  approved:
    '✅ Your request for the API key *{name}* was {how, select, policy {approved by policy} people {approved by {who}} other {approved}}.',
  validUntil: 'This button is valid until {at} ({relative}).',
  clickToCreate:
    'When you click *Create key*, the key is made and its secret is shown once, only to you, right here.',
  createKey: 'Create key',
  openText:
    'Your API key request {name} was {how, select, policy {approved by policy} people {approved by {who}} other {approved}}. Click Create key to make it; the secret is shown once.',
  openTextUntil:
    'Your API key request {name} was {how, select, policy {approved by policy} people {approved by {who}} other {approved}}. Click Create key to make it (valid until {until}); the secret is shown once.',
  created: '🔑 Key created {at}; its secret was shown once.',
  createdText: 'Key {name} created {at}; its secret was shown once.',
  expired: '⌛ This approval expired; request the key again with `{command}`.',
  expiredText: 'The approval for {name} expired; request the key again with {command}.',
  changeApplied: 'The change to {name} was applied.',
  changeExpired: 'The approved change to {name} expired.',
  changeFailed:
    'The change to the API key *{name}* was {how, select, policy {approved by policy} people {approved by {who}} other {approved}}, but applying it failed. Click *Apply change* to try again.',
  applyChange: 'Apply change',
} as const;
