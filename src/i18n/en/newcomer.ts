/** What a newcomer meets first: a mention Slack did not recognise, and an answer that must wait for ClickHouse. */
export const newcomer = {
  auditWhoIs:
    "I can't tell who *@{handle}* is: Slack sends a person's mention only when they are picked from its " +
    '@ suggestions. Pick them there, as in `{command} audit @name`.',
  waitingForClickHouse:
    '⏳ Waiting for ClickHouse (its API takes 10 requests per 10 s): about {seconds, plural, one {# second} other {# seconds}}. ' +
    'The answer replaces this message.',
} as const;
