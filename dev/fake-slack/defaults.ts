/**
 * The made-up workspace every Slack test talks about. The fake Web API and the payload factories share it,
 * so a payload built with defaults names the same team, app and bot the fake answers for.
 */
export const SLACK_TEST_DEFAULTS = {
  teamId: 'T0KEYHOUSE',
  teamDomain: 'keyhouse-test',
  teamName: 'Keyhouse Test',
  appId: 'A0KEYHOUSE',
  botUserId: 'U0KEYHOUSEBOT',
  botId: 'B0KEYHOUSE',
  botToken: 'xoxb-test-token',
  appToken: 'xapp-test-token',
  /** The deprecated verification token Slack still puts in payloads; Bolt ignores it. */
  verificationToken: 'fake-verification-token',
} as const;

/** The ID of the app's DM with `user`, as the fake's `conversations.open` answers it: stable per user. */
export function dmChannelId(user: string): string {
  return `D${user}`;
}
