import type { ModalView } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Done, Problem } from '../../core/outcomes.js';
import type { Messages } from '../../i18n/index.js';
import { extendKeyModal, outcomeModal, rotateKeyModal, workingModal } from '../../views/index.js';
import { doneText, problemsText } from '../../views/outcomes.js';
import type { Reply, ViewAck } from '../ack-first.js';
import type { HandlerDeps } from '../deps.js';
import { refreshSurface, type Surface, surfaceSchema } from './key-surface.js';
import { openModal, settleInModal } from './modal.js';
import { wordsNow, wordsOf } from './words.js';

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
 * Opens the Rotate dialog for a key at once ("looking the key up…"), then the form once the
 * workflow checked the viewer may rotate it, or why not.
 */
export function openRotateDialog(
  deps: HandlerDeps,
  client: WebClient,
  args: { userId: string; keyId: string; triggerId: string; surface: Surface },
): Promise<void> {
  return openModal(
    deps,
    client,
    { triggerId: args.triggerId, userId: args.userId },
    async () => {
      const form = await deps.workflow.rotationForm(args.userId, args.keyId);
      const needsReason = form.needsApproval && form.role.approvals > 0;
      return rotateKeyModal(await wordsOf(deps, args.userId), {
        ...form,
        context: encodeLifecycleContext({
          keyId: args.keyId,
          roleId: form.role.id,
          needsReason,
          surface: args.surface,
        }),
      });
    },
    ...loadingAndFailed(wordsNow(deps, args.userId), 'keyDialogs.rotateTitle'),
  );
}

/** Opens the Extend dialog for a key, as the Rotate one. */
export function openExtendDialog(
  deps: HandlerDeps,
  client: WebClient,
  args: { userId: string; keyId: string; triggerId: string; surface: Surface },
): Promise<void> {
  return openModal(
    deps,
    client,
    { triggerId: args.triggerId, userId: args.userId },
    async () => {
      const form = await deps.workflow.extendForm(args.userId, args.keyId);
      return extendKeyModal(await wordsOf(deps, args.userId), {
        ...form,
        context: encodeLifecycleContext({
          keyId: args.keyId,
          roleId: form.role.id,
          needsReason: true,
          surface: args.surface,
        }),
      });
    },
    ...loadingAndFailed(wordsNow(deps, args.userId), 'keyDialogs.extendTitle'),
  );
}

/**
 * A key dialog's two other faces, in the person's words: "looking the key up…" while ClickHouse
 * answers, and the failure if it cannot open.
 */
export function loadingAndFailed(
  m: Messages,
  title:
    | 'keyDialogs.rotateTitle'
    | 'keyDialogs.extendTitle'
    | 'keyDialogs.reassignTitle'
    | 'keyDialogs.liftTitle'
    | 'keyDialogs.deleteTitle'
    | 'edit.title',
): [ModalView, (text: string) => ModalView] {
  const said = m.t(title);
  return [
    workingModal(m, said, m.t('dialog.lookingUp')),
    (text) => outcomeModal(m, said, { ok: false, text }),
  ];
}

/** What a Rotate or Extend submission led to: refused with reasons, or done (and maybe a request to announce). */
export type LifecycleOutcome =
  | { ok: false; errors: Partial<Record<string, Problem>> }
  | { ok: true; done: Done; announce: string | null };

/**
 * The second half of a Rotate or Extend submission, once its checks without network passed: the
 * dialog turns to `working`, `run` does the work after the acknowledgement, a request it made is
 * announced, the list the dialog came from is refreshed, and the dialog shows the outcome.
 */
export function settleLifecycleDialog(
  deps: HandlerDeps,
  m: Messages,
  dialog: { title: string; working: string; viewId: string; userId: string; surface: Surface },
  run: () => Promise<LifecycleOutcome>,
): Reply<ViewAck> {
  const { title, userId } = dialog;
  return {
    ack: { response_action: 'update', view: workingModal(m, title, dialog.working) },
    after: ({ client }) =>
      settleInModal(
        deps,
        client,
        { viewId: dialog.viewId, userId },
        async () => {
          const result = await run();
          if (!result.ok) {
            const text = m.t('dialog.nothingDone', { problems: problemsText(m, result.errors) });
            return { view: outcomeModal(m, title, { ok: false, text }), text: `⚠️ ${text}` };
          }
          if (result.announce) await deps.workflow.announce(result.announce);
          const notice = doneText(wordsNow(deps, userId), result.done);
          await refreshSurface(deps, client, userId, dialog.surface, notice).catch((error: unknown) =>
            deps.logger.warn(
              { err: error, dialog: title },
              'could not refresh the key list after the dialog',
            ),
          );
          return { view: outcomeModal(m, title, { ok: true, text: notice }), text: notice };
        },
        (text) => outcomeModal(m, title, { ok: false, text }),
      ),
  };
}
