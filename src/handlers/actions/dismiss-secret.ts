import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction<ButtonAction>>;

/** "I've saved it": deletes the ephemeral message holding the secret. */
export function dismissSecretAction() {
  return async ({ ack, respond }: Args): Promise<void> => {
    await ack();
    // Without a response_url (a crafted click) there is no message of ours to delete.
    if (typeof respond === 'function') await respond({ delete_original: true });
  };
}
