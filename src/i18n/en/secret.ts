/** The once-only answer to a Create key click, holding the Key ID and secret (product.md §1, §3). */
export const secret = {
  header: 'Your new ClickHouse API key',
  warning: '*This secret will not be shown again. Store it now* (for example in your password manager).',
  keyId: 'Key ID',
  keySecret: 'Key secret',
  name: 'Name',
  expires: 'Expires',
  tryIt: 'Try it',
  saved: "I've saved it",
  onlyYou: 'Only you can see this message. *I’ve saved it* removes it from your screen.',
  text: 'Your new ClickHouse key {name} is ready (shown once)',
} as const;
