/** The Edit dialog of a key (product.md §1, "Key list"). */
export const edit = {
  title: 'Edit key',
  save: 'Save',
  editing: 'Editing {key}',
  rules:
    'Renaming applies at once, and so does a shorter expiry. A longer expiry or another role is sent for approval, like a new key.',
  reasonHint: 'For approvers, when the change needs approval.',
  keepRole: 'Keep current role',
  keepExpiry: 'Keep current expiry',
  working: 'Applying your change to *{name}*…',
} as const;
