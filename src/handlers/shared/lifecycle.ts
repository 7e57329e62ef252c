import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { extendKeyModal, outcomeModal, rotateKeyModal } from '../../views/index.js';
import type { HandlerDeps } from '../deps.js';
import { describeError } from '../errors.js';
import { type Surface, surfaceSchema } from './key-surface.js';

/**
 * What a Rotate, Extend or Reassign dialog carries in `private_metadata`: the key, the role it
 * was shown for (for the checks answered inside the dialog), whether a reason was asked, and
 * where to show the outcome besides the dialog. Untrusted on the way back: the workflow checks
 * the viewer, the key and the role again.
 */
const lifecycleContext = z.object({
  keyId: z.string().uuid(),
  roleId: z.string().max(200).nullable(),
  needsReason: z.boolean(),
  surface: surfaceSchema,
});
export type LifecycleContext = z.infer<typeof lifecycleContext>;

export function encodeLifecycleContext(context: LifecycleContext): string {
  return JSON.stringify(context);
}

export function decodeLifecycleContext(raw: string): LifecycleContext | null {
  try {
    const parsed = lifecycleContext.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

const KEY_ID = z.string().uuid();

/** A Rotate or Extend button carries only the key's UUID; anything else changes nothing. */
export function parseKeyId(value: unknown): string | null {
  const parsed = KEY_ID.safeParse(typeof value === 'string' ? value.toLowerCase() : value);
  return parsed.success ? parsed.data : null;
}

/**
 * Runs the work a dialog asked for after its acknowledgement (which turned it into "working…"),
 * then shows how it went in the same dialog: success and failure alike. When Slack will not
 * update the dialog (closed long ago), the person is told by DM instead.
 */
export async function finishInDialog(
  deps: HandlerDeps,
  client: WebClient,
  target: { userId: string; viewId: string; title: string },
  work: () => Promise<string>,
): Promise<void> {
  let text: string;
  try {
    text = `✅ ${await work()}`;
  } catch (error) {
    const described = describeError(error);
    if (described.reference)
      deps.logger.error(
        { err: error, reference: described.reference, userId: target.userId },
        'dialog work failed',
      );
    text = `⚠️ ${described.text}`;
  }
  try {
    await client.views.update({ view_id: target.viewId, view: outcomeModal(target.title, text) });
  } catch (error) {
    deps.logger.warn({ err: error }, 'could not update the dialog; telling the user by DM');
    await client.chat.postMessage({ channel: target.userId, text });
  }
}

/** The dialog's acknowledgement while the work runs: it stays open and says so. */
export function workingView(title: string, what: string) {
  return { response_action: 'update' as const, view: outcomeModal(title, `⏳ ${what}…`) };
}

/** Opens the Rotate dialog for a key, after the workflow checked the viewer may rotate it. */
export async function openRotateDialog(
  deps: HandlerDeps,
  client: WebClient,
  args: { userId: string; keyId: string; triggerId: string; surface: Surface },
): Promise<void> {
  const form = await deps.workflow.rotationForm(args.userId, args.keyId);
  const needsReason = form.needsApproval && form.role.approvals > 0;
  await client.views.open({
    trigger_id: args.triggerId,
    view: rotateKeyModal({
      ...form,
      context: encodeLifecycleContext({
        keyId: args.keyId,
        roleId: form.role.id,
        needsReason,
        surface: args.surface,
      }),
    }),
  });
}

/** Opens the Extend dialog for a key, after the workflow checked the viewer may change it. */
export async function openExtendDialog(
  deps: HandlerDeps,
  client: WebClient,
  args: { userId: string; keyId: string; triggerId: string; surface: Surface },
): Promise<void> {
  const form = await deps.workflow.extendForm(args.userId, args.keyId);
  await client.views.open({
    trigger_id: args.triggerId,
    view: extendKeyModal({
      ...form,
      context: encodeLifecycleContext({
        keyId: args.keyId,
        roleId: form.role.id,
        needsReason: true,
        surface: args.surface,
      }),
    }),
  });
}
