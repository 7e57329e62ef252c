import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction<ButtonAction>>;

/** "I've saved it": deletes the ephemeral message holding the secret. */
export function dismissSecretAction() {
  return async ({ ack, respond }: Args): Promise<void> => {
    await ack();
    await respond({ delete_original: true });
  };
}
