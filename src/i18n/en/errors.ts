/**
 * Errors shown to the person who acted (src/handlers/errors.ts). An error that carries no words of
 * its own is told by its code's sentence, with a reference id the log line carries too. A sentence
 * says "nothing was done" only where the code promises it (a refusal, a failed audit write).
 */
export const errors = {
  notConfirmed:
    'ClickHouse did not confirm the request, so it may or may not have taken effect; check `{command} list` ' +
    'before trying again. Reference: {reference}.',
  wentWrong: 'Something went wrong in Keyhouse. Reference: {reference}.',
  notAllowed: 'You are not allowed to do that, so nothing was done. Reference: {reference}.',
  notFound:
    'What you acted on is no longer there: it may have been deleted or changed since. Reference: {reference}.',
  alreadyDecided: 'That was already decided, so nothing changed. Reference: {reference}.',
  expired: 'That has expired, so nothing changed. Reference: {reference}.',
  invalidInput: 'Keyhouse could not use what it was given here. Reference: {reference}.',
  conflict:
    'Something else changed this at the same moment. Look at where it stands now before trying again. ' +
    'Reference: {reference}.',
  auditFailed:
    'Keyhouse could not record this action in its audit log, so it did not do it. Reference: {reference}.',
  deliveryFailed: 'Keyhouse could not deliver this where it was meant to go. Reference: {reference}.',
  createFailed: 'The API key could not be created. Reference: {reference}.',
  noResponseUrl:
    'Slack sent this without a way to answer it where you acted, so Keyhouse cannot reply there. Try again ' +
    'from the message or with `{command}`.',
} as const;
