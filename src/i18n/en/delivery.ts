/** Delivery where the key is used (product.md §12): Deliver to, where a key went, and what failed. */
export const delivery = {
  deliverToLabel: 'Deliver to',
  deliverToHint:
    'A destination gets the key at the last approval, with no Create key click; nobody sees its secret.',
  toRequester: 'Me (the secret is shown to me once)',
  toGitHub: 'GitHub Actions: {repository}',
  toGitHubEnvironment: 'GitHub Actions: {repository} ({environment})',
  toVault: 'Vault: {path}',
  placeGitHub: 'the GitHub Actions secrets {names} of {repository}',
  placeGitHubEnvironment: 'the GitHub Actions secrets {names} of {repository}, environment {environment}',
  placeVault: 'Vault KV {path}',
  approvalLine:
    '*Deliver to:* {place}. The key is created and written there at the last approval; nobody sees its secret.',
  deliveredText: 'Your API key {keyName} was written to {place}.',
  deliveredDetail:
    'Key ID `…{suffix}`, role {role}, {expiry}. Its secret went from ClickHouse straight there: nobody saw it, you included.',
  rotatedText: 'Your API key {keyName} was replaced on schedule in {place}: the new key is `…{suffix}`.',
  expiresNever: 'no expiry',
  expiresAt: 'expires {date}',
  failedText: 'Your API key {keyName} could not be written to {place}.',
  /** The refusing service's own words, quoted. */
  failedDetail: '{by, select, clickhouse {ClickHouse said} other {The destination said}}: {detail}',
  failedNoDetail: 'No reason came back with it; Keyhouse’s log has what went wrong.',
  failedKeyDeleted:
    'The key made for it was deleted (nobody saw its secret). Your request stays approved: click *Try again* once the destination is fixed.',
  failedKeyLeft:
    'Keyhouse is still deleting the key it made (nobody saw its secret). Click *Try again* in a minute.',
  tryAgain: 'Try again',
  rotationFailed:
    ':warning: The scheduled rotation of {keyName} (`…{suffix}`) could not write its successor to {place}. {said} The successor was deleted and the current key keeps working; Keyhouse tries again at every tick.',
  listPlace: 'in {place}',
  notOffered: 'Choose one of the places offered for this role.',
  taken:
    'Keyhouse already writes {holder, select, key {the key {key}} other {the key of an open request}} to {place}, and one place holds one key. Rotate that key to replace it, or choose another place.',
  unavailable:
    'The destination {destination} is no longer offered for this role by the policy; nothing was made. Ask an admin.',
} as const;
