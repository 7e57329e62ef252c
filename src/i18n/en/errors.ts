/** Errors shown to the person who acted (src/handlers/errors.ts). */
export const errors = {
  notConfirmed:
    'ClickHouse did not confirm the request, so it may or may not have taken effect; check `{command} list` ' +
    'before trying again. Reference: {reference}.',
  wentWrong: 'Something went wrong in Keyhouse. Reference: {reference}.',
} as const;
