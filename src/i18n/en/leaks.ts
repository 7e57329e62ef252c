/** Leaks found outside Slack (product.md §13): GitHub secret scanning alerts and scanners' reports. */
export const leaks = {
  githubHeadline:
    '🚨 Leak on GitHub: secret scanning found {count, plural, one {a ClickHouse secret} other {# ClickHouse secrets}} in *{repository}* ({alert}).',
  reportHeadline:
    '🚨 Leak reported by *{source}*: {count, plural, one {a ClickHouse secret} other {# ClickHouse secrets}} found{where}.',
  reportWhere: ' in {url}',
  alertLink: '<{url}|alert #{number}>',
  alertPlain: 'alert #{number}',
  placeFile: '• `{path}` line {line}, commit `{commit}`',
  placeFileNoLine: '• `{path}`, commit `{commit}`',
  placeOther: '• {type}',
  placeLink: ' (<{url}|view>)',
  placesMore: '• and {count, plural, one {# more place} other {# more places}}',
  keyLine: '• *{name}* (…{suffix}), owner {owner}: {done}',
  keysMore: '• and {count, plural, one {# more key} other {# more keys}} of Keyhouse’s',
  notIssuedGithub:
    '• {count, plural, one {One secret} other {# secrets}} not issued by Keyhouse: find {count, plural, one {its key} other {their keys}} in the ClickHouse Cloud console and disable {count, plural, one {it} other {them}}. The alert stays open until then.',
  notIssuedReport:
    '• {count, plural, one {One secret} other {# secrets}} not issued by Keyhouse: find {count, plural, one {its key} other {their keys}} in the ClickHouse Cloud console and disable {count, plural, one {it} other {them}}.',
  doneDisabled: 'Keyhouse disabled the key',
  doneDeleted: 'Keyhouse deleted the key',
  doneReported: 'the key still works (the policy only reports leaks)',
  doneAlreadyDisabled: 'already disabled for an earlier leak',
  doneAlreadyGone: 'the key no longer exists in ClickHouse',
  doneFailed: 'Keyhouse could not disable the key yet; it keeps trying, and an admin may disable it now',
  ownerWhereGithub: 'in the GitHub repository *{repository}* ({alert})',
  ownerWhereReport: 'by *{source}*{where}',
  ownerOne:
    '🚨 The secret of your ClickHouse API key *{name}* (…{suffix}) was found {where}. {done}. Rotate it to get a new secret, and update whatever used the old one.',
  ownerMany:
    '🚨 The secrets of {count} of your ClickHouse API keys were found {where}. Rotate each to get a new secret, and update whatever used the old one.',
  ownerKey: '*{name}* (…{suffix}): {done}',
  ownerMore: 'And {count, plural, one {# more key} other {# more keys}}: rotate them from your key list.',
  rotate: 'Rotate',
  resolutionComment:
    'Revoked by Keyhouse: {count, plural, one {the ClickHouse Cloud API key} other {the ClickHouse Cloud API keys}} {suffixes} {count, plural, one {no longer works} other {no longer work}}.',
} as const;
