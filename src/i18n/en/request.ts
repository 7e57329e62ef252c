/** The request modal (product.md §1) and the answers to its submission. */
export const request = {
  title: 'Request an API key',
  submit: 'Request',
  intro:
    'After approval you get a *Create key* button; the key is made when you click it, and its secret is shown to you once.',
  introDelivery:
    'After approval you get a *Create key* button, unless you choose a destination in *Deliver to*: the key is then written there at the last approval, and nobody sees its secret.',
  keyNamePlaceholder: 'e.g. etl-nightly',
  roleUpTo: 'up to {longest}',
  roleNoLimit: 'no expiry limit',
  approvals: '{n, plural, =0 {no approval needed} one {# approval} other {# approvals}}',
  noRole: '*Role*\nNo role is open to you any more.',
  expiryChooseRole: '*Expiry*: choose a role first; the choices depend on it.',
  expiryNone: '*Expiry*: this role offers no expiry; ask a Keyhouse admin.',
  expiryHint: 'Counted from when the key is created. Longest for {role}: {longest}.',
  expiryPlaceholder: 'How long the key works',
  reasonHint:
    '{min, plural, =0 {Why you need this key.} one {Why you need this key (at least # character).} other {Why you need this key (at least # characters).}} Approvers see it.',
  ipLabel: 'IP access list',
  ipHint:
    'One entry per line: an IPv4 address or CIDR range, then a description if you like. Empty means the default: {fallback}',
  ipPolicyDefault: 'the policy default',
  ipPlaceholder: '203.0.113.0/24 office VPN',
  checking: 'Checking which roles you may request…',
  working: 'Checking and sending your request for *{name}*…',
  sentForApproval:
    'Your request for *{name}* was sent to {channel} for approval ({approvals, plural, one {# approval} other {# approvals}} needed). You will get a direct message from Keyhouse when it is decided; once it is approved, that message holds your *Create key* button.',
  sentNoApproval:
    'Your request for *{name}* needs no approval. Your *Create key* button is in your direct messages from Keyhouse.',
  sentForApprovalDelivered:
    'Your request for *{name}* was sent to {channel} for approval ({approvals, plural, one {# approval} other {# approvals}} needed). At the last approval the key is written to {place}, and a direct message from Keyhouse says so.',
  sentNoApprovalDelivered:
    'Your request for *{name}* needs no approval: the key is being written to {place}, and a direct message from Keyhouse will say when it is there.',
  recorded: 'Your request for {name} was recorded.',
  nothingSaved: 'Nothing was saved. {problems}',
  nothingSavedRunAgain: 'Nothing was saved. {problems} Run the command again to fix it.',
} as const;
