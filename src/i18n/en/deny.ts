/** The Deny dialog (product.md §1: Deny opens a modal for an optional reason). */
export const deny = {
  title: 'Deny request',
  submit: 'Deny',
  intro: 'You are denying the API key *{name}* requested by {requester}.',
  reasonHint: 'Optional. The requester and the approval thread see it.',
  checking: 'Checking that you may decide this request…',
  working: 'Recording your denial…',
  denied: 'Denied. The requester has been told, and the approval message shows it.',
} as const;
