/** `/chkey help` and the answers to words the command does not know. */
export const help = {
  title: 'How to use {command}',
  intro:
    'Keyhouse gives you ClickHouse Cloud API keys with approval. Once your request is approved you get a ' +
    '*Create key* button; the key is made when you click it, and its secret is shown to you once.',
  introNoRequest:
    'Keyhouse gives you ClickHouse Cloud API keys with approval. You may see your keys here; requesting new ' +
    'ones is for the people the policy names.',
  mayNotRequest: 'You may not request API keys; {admins} can tell you who may.',
  request: '`{command}` or `{command} request`: ask for a new ClickHouse Cloud API key',
  list: '`{command} list`: your keys',
  listAll: '`{command} list all`: every key in the organization (approvers and admins)',
  review: '`{command} review`: stale keys, keys without an owner, keys retiring after a rotation (admins)',
  audit:
    '`{command} audit`, `{command} audit <key name or …suffix>`, `{command} audit @person`: who did what, newest first (admins)',
  help: '`{command} help`: this help',
  unknown: "I don't know `{command} {word}`.",
} as const;
