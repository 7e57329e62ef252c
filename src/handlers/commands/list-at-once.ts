/**
 * `/chkey list` answered before Bolt sees it (product.md §14: a list costs about what a static
 * answer costs). When the viewer's list was drawn before and nothing it was made from can have
 * changed — their language and zone known, ClickHouse's key list, the database's change stamp,
 * their admin membership and the policy the same, no key expired and their day unchanged — the
 * message kept is the answer, written by the edge as the command's acknowledgement. Anything less
 * certain goes to Bolt and `chkeyCommand`, which reads, draws and keeps.
 *
 * Nothing here waits, calls ClickHouse or Slack, or writes: it reads memory, so Bolt's middleware
 * (the in-flight count, the budget owner, the no-wait zone, the error handler) has nothing to do.
 */
import type { ListScope } from '../../core/ports.js';
import type { HandlerDeps } from '../deps.js';

/** The form fields of a slash command, as the edge parsed them. */
type Fields = Readonly<Record<string, unknown>>;

/** `list`, `list mine` or `list all`, as `chkeyCommand` reads them; null for anything else. */
function scopeOf(text: unknown): ListScope | null {
  if (typeof text !== 'string') return null;
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0 || words.length > 2 || words[0]?.toLowerCase() !== 'list') return null;
  const scope = (words[1] ?? 'mine').toLowerCase();
  return scope === 'mine' || scope === 'all' ? scope : null;
}

/** The JSON acknowledgement of a slash command that is a list at hand, else null (Bolt answers). */
export function listAtOnce(deps: HandlerDeps): (fields: Fields) => string | null {
  return (fields) => {
    const { renderedLists, readers, workflow } = deps;
    if (!renderedLists || !readers.known) return null;
    if (fields.command !== deps.command || typeof fields.user_id !== 'string') return null;
    const scope = scopeOf(fields.text);
    if (scope === null) return null;
    const reader = readers.known(fields.user_id);
    if (reader === null) return null;
    const entries = workflow.listAtHand(fields.user_id, scope);
    if (entries === null) return null;
    return renderedLists.jsonAtHand(entries, 0, reader, workflow.now());
  };
}
