import type { WebClient } from '@slack/web-api';
import type { People, PersonStatus } from '../core/ports.js';

/**
 * The workflow's `People` port on Slack's `users.info` (needs `users:read`). A user Slack no
 * longer knows counts as deactivated; any other failure is `unknown`, so nobody is taken for
 * gone because Slack stumbled. Only ever called after an acknowledgement.
 */
export class SlackPeople implements People {
  readonly #client: WebClient;

  constructor(client: WebClient) {
    this.#client = client;
  }

  async status(userId: string): Promise<PersonStatus> {
    try {
      const answer = await this.#client.users.info({ user: userId });
      if (answer.user?.deleted === true) return 'deactivated';
      return answer.user ? 'active' : 'unknown';
    } catch (error) {
      const code = (error as { data?: { error?: unknown } }).data?.error;
      if (code === 'user_not_found') return 'deactivated';
      throw error;
    }
  }
}
