/** The dialogs of a key's later life (product.md §8): Rotate, Extend, Reassign, Lift leak mark, Delete. */
export const keyDialogs = {
  rotateTitle: 'Rotate key',
  rotateSubmit: 'Rotate',
  rotateIntro:
    'Rotating {key}\nThe new key keeps the name, role and IP access list, and is delivered by the usual *Create key* message, its secret shown once. When the overlap ends the old key is disabled; seven days later it is deleted. {approval}',
  rotateIntroDelivered:
    'Rotating {key}\nThe new key keeps the name, role and IP access list, and is written to {place} as soon as it may be made, with no click; nobody sees its secret. When the overlap ends the old key is disabled; seven days later it is deleted. {approval}',
  roleNeedsNoApproval: '{role} needs no approval.',
  rotateLikeNew:
    'The successor is approved like a new key ({n, plural, one {# approval} other {# approvals}}).',
  rotateOwnerFree: 'As its owner, you rotate it without approval.',
  rotateOwnerBounded:
    'As its owner, you rotate it without approval while the new key ends no later than the old one was approved for; a later end is approved like Extend ({n, plural, one {# approval} other {# approvals}}).',
  overlap: 'Overlap',
  overlapHint: 'How long the old key keeps working once the new one exists.',
  keepNever: 'Never, as now',
  keepSameEnd: 'Same end as now: {at}',
  rotateExpiryHint:
    "Of the new key, counted from when it is created, or the old key's end. Longest for {role}: {longest}.",
  reasonLaterEnd: 'For the approvers, if you choose a later end.',
  rotating: 'Rotating…',
  extendTitle: 'Extend key',
  extendSubmit: 'Extend',
  extendIntro: 'Extending {key}\n{approval}',
  extendNoApproval: '{role} needs no approval: it applies at once.',
  extendApproval: 'A longer expiry is approved like a new key, then applied.',
  extending: 'Extending…',
  reassignTitle: 'Reassign key',
  reassignSubmit: 'Reassign',
  reassignIntro:
    'Give {key} another owner. They may then manage it and are told by DM; so is the owner until now.',
  newOwner: 'New owner',
  choosePerson: 'Choose a person',
  choosePersonToOwn: 'Choose a person to own the key.',
  onlyAdminsReassign: 'Only Keyhouse admins can give a key another owner.',
  reassigning: 'Reassigning…',
  liftTitle: 'Lift leak mark',
  liftSubmit: 'Lift mark',
  liftIntro:
    '{key} was disabled because its secret leaked. Lifting the mark lets its owner or an admin enable it again; it stays disabled until someone does. Rotating it is usually the better answer: its secret may still be in someone’s hands.',
  liftReasonHint: 'Why the leaked secret is no longer a risk. Kept in the audit log.',
  lifting: 'Lifting the mark…',
  deleteTitle: 'Delete key',
  deleteSubmit: 'Delete',
  deleteAsk: 'Delete {key}? Anything using it stops working at once. This cannot be undone.',
  menuGone: 'That menu no longer refers to a key.',
  buttonGone: 'That button no longer refers to a key.',
} as const;
