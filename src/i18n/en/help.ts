/** `/chkey help` and the answers to words the command does not know. */
export const help = {
  title: 'How to use {command}',
  intro:
    'Keyhouse gives you ClickHouse Cloud API keys with approval. Once your request is approved you get a ' +
    '*Create key* button; the key is made when you click it, and its secret is shown to you once.',
  request: '`{command}` or `{command} request`: ask for a new ClickHouse Cloud API key',
  list: '`{command} list`: your keys',
  listAll: '`{command} list all`: every key in the organization (approvers and admins)',
  review: '`{command} review`: stale keys, keys without an owner, keys retiring after a rotation (admins)',
  help: '`{command} help`: this help',
  unknown: "I don't know `{command} {word}`.",
} as const;
