/**
 * The baseline: a bare Bolt 5 app built with the options Keyhouse gives Bolt (HTTPReceiver, signing
 * secret, bot ids so Bolt makes no `auth.test`, the Web API URL), whose only listener acks the slash
 * command with a static text. Configured from the environment by the benchmark.
 */
import { App, HTTPReceiver } from '@slack/bolt';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const receiver = new HTTPReceiver({ signingSecret: env('SLACK_SIGNING_SECRET') });
const app = new App({
  receiver,
  token: env('SLACK_BOT_TOKEN'),
  botId: env('SLACK_BOT_ID'),
  botUserId: env('SLACK_BOT_USER_ID'),
  clientOptions: { slackApiUrl: env('SLACK_API_URL') },
});

app.command(env('SLACK_COMMAND'), async ({ ack }) => {
  await ack({ response_type: 'ephemeral', text: 'Static answer from the bare Bolt baseline.' });
});

await app.start(Number(env('PORT')));

// Exit through process.exit so `--cpu-prof` can write its profile.
const stop = () => void app.stop().finally(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
