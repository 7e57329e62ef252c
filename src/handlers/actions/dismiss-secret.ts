import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { ActionArgs, Listener } from '../ack-first.js';

/** "I've saved it": deletes the ephemeral message holding the secret. */
export function dismissSecretAction(): Listener<ActionArgs<BlockAction<ButtonAction>>, never> {
  return () => ({
    after: async ({ respond }) => {
      // Without a response_url (a crafted click) there is no message of ours to delete.
      if (respond) await respond({ delete_original: true });
    },
  });
}
