/** The audit chain's daily head in the security channel (src/views/audit-head.ts). */
export const auditHead = {
  text:
    'Audit chain head for {day} (UTC): event {seq}, {head}. Keep this message; to prove nothing up to it was ' +
    'rewritten, run: {npm}',
  title: '🔗 *Audit chain head* for {day} (UTC): event *{seq}* and its hash.\n```{head}```',
  keep:
    '*Keep this message.* Each event’s hash covers every event before it, so while the stored chain still holds ' +
    'this head, nothing up to it was changed or removed, even by someone who can write the database. To check, ' +
    'on the database Keyhouse uses:\n`{npm}`\nor, in the container image:\n`{built}`',
  answers:
    'It answers `ok …` while the chain holds this head, and names the first event that differs otherwise.',
} as const;
