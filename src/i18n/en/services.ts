/** Keys scoped to some services (product.md §16): the modal's choice, the lines naming them, the answers. */
export const services = {
  label: 'Services',
  placeholder: 'Choose services',
  hint: 'The key reaches only the services you choose ({access}).',
  noneMatch: 'No service matches this role now. Ask an admin to check the policy.',
  unavailable: 'Keyhouse could not read the services from ClickHouse; try again in a minute.',
  line: '*Services* ({access}): {services}',
  renamed: '{name} (renamed from {was})',
  deleted: '~{was}~ (deleted in the console)',
  accessRead: 'read',
  accessManage: 'manage',
  accessQueryEndpoints: 'Query API Endpoints',
  none: 'Choose at least one service.',
  notOffered: 'A service you chose is no longer offered for this role; choose again.',
  busy: 'The ClickHouse role for these services is being made or removed right now; click again in a moment.',
  conflict:
    'ClickHouse already has a role named {roleName} that Keyhouse did not make. Ask an admin to rename or remove it.',
  widening: 'More services than the key has: this needs approval.',
} as const;
