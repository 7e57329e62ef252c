/**
 * The benchmark's workspace: who asks, who approves, the policy, and the payloads Slack would send.
 * Response URLs and trigger ids are issued by the fake Slack, as Slack issues them.
 */
import { ACTION, BLOCK, CALLBACK, expiryBlockId } from '../../src/views/ids.js';
import { testPolicyFields } from '../../test/support/policy-fixture.js';
import {
  blockAction,
  dmChannelId,
  slashCommand,
  stateValue,
  viewSubmission,
} from '../../test/support/slack-payloads.js';
import type { Shot } from './load.js';
import type { Infra } from './processes.js';
import type { Claim, ResponseUrlBind } from './protocol.js';

export const SIGNING_SECRET = 'bench-signing-secret';
export const COMMAND = '/chkey';
export const APPROVAL_CHANNEL = 'C0APPROVALS';
const GENERAL = 'C0GENERAL';
export const APPROVER = 'U0BOB';
/** Who types `/chkey help`. */
export const ASKER = 'U0ALICE';
/** Who request keys, in turn; they then list their own keys. */
export const REQUESTERS = Array.from({ length: 10 }, (_, i) => `U0BENCH${String(i + 1).padStart(2, '0')}`);

/**
 * The policy file Keyhouse is started with: the test suite's, with the benchmark's approvers, and
 * limits that let each of the 10 requesters have 20 requests pending at once (the default of 5
 * would refuse three quarters of the setup's 200 submissions).
 */
export function policyDocument(): object {
  return testPolicyFields({
    approvers: [APPROVER, 'U0CAROL'],
    limits: { pendingPerUser: 20, keysPerUser: 50 },
  });
}

export class Payloads {
  constructor(private readonly infra: Infra) {}

  /** `count` slash commands `/chkey <text>` from `users` in turn, each with its own response URL. */
  async commands(
    text: string,
    users: readonly string[],
    count: number,
  ): Promise<{ shots: Shot[]; urls: string[] }> {
    const binds: ResponseUrlBind[] = Array.from({ length: count }, (_, i) => ({
      user: users[i % users.length]!,
      channel: GENERAL,
    }));
    const { responseUrls, triggerIds } = await this.infra.ask({ op: 'issue', binds });
    const shots = binds.map((bind, i) => {
      const fields = slashCommand({
        user_id: bind.user,
        text,
        command: COMMAND,
        channel_id: GENERAL,
        response_url: responseUrls[i]!,
        trigger_id: triggerIds[i]!,
      });
      return { body: { kind: 'command' as const, fields: fields as unknown as Record<string, string> } };
    });
    return { shots, urls: responseUrls };
  }

  /** Request modal submissions for a Developer key, by the requesters in turn; names unique per `run`. */
  submissions(count: number, run: string): Shot[] {
    return Array.from({ length: count }, (_, i) => ({
      body: {
        kind: 'interaction' as const,
        payload: viewSubmission({
          user: REQUESTERS[i % REQUESTERS.length]!,
          callbackId: CALLBACK.requestModal,
          values: {
            [BLOCK.keyName]: { [ACTION.keyNameInput]: `bench-${run}-${String(i).padStart(4, '0')}` },
            [BLOCK.role]: { [ACTION.roleSelect]: stateValue.staticSelect('developer') },
            [expiryBlockId('developer')]: { [ACTION.expirySelect]: stateValue.staticSelect('30d') },
            [BLOCK.reason]: { [ACTION.reasonInput]: 'Benchmark load: nightly ETL reads' },
            [BLOCK.ipList]: { [ACTION.ipListInput]: null },
          },
        }),
      },
    }));
  }

  /** The approver's Approve click on each request, in the approval channel. */
  async approvals(requestIds: string[]): Promise<Shot[]> {
    const binds = requestIds.map(() => ({ user: APPROVER, channel: APPROVAL_CHANNEL }));
    const { responseUrls, triggerIds } = await this.infra.ask({ op: 'issue', binds });
    return requestIds.map((requestId, i) => ({
      body: {
        kind: 'interaction' as const,
        payload: blockAction({
          user: APPROVER,
          actionId: ACTION.approve,
          value: requestId,
          responseUrl: responseUrls[i]!,
          triggerId: triggerIds[i]!,
          channel: APPROVAL_CHANNEL,
        }),
      },
    }));
  }

  /** Each requester's Create key click, on the DM that holds the button. */
  async createClicks(claims: Claim[]): Promise<{ shots: Shot[]; urls: string[] }> {
    const binds = claims.map((claim) => ({
      user: claim.user,
      channel: dmChannelId(claim.user),
      messageTs: claim.message.ts,
    }));
    const { responseUrls, triggerIds } = await this.infra.ask({ op: 'issue', binds });
    const shots = claims.map((claim, i) => ({
      body: {
        kind: 'interaction' as const,
        payload: blockAction({
          user: claim.user,
          actionId: ACTION.createKey,
          value: claim.requestId,
          responseUrl: responseUrls[i]!,
          triggerId: triggerIds[i]!,
          channel: dmChannelId(claim.user),
          message: claim.message as unknown as Record<string, unknown>,
        }),
      },
    }));
    return { shots, urls: responseUrls };
  }
}
