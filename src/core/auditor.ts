import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import { isKeyhouseError, KeyhouseError } from './errors.js';
import type { AuditEvent, AuditInput, Store } from './model.js';

export type AuditEntry = Omit<AuditInput, 'at'>;

/** What stands in the log for an event the store refused for what it holds. */
export const REFUSED_EVENT_ACTION = 'audit.refused';

/** Longest text a stand-in keeps of each field of the event it stands for. */
const STAND_IN_TEXT = 200;

function clip(text: string | null | undefined): string | null {
  return text === null || text === undefined ? null : text.slice(0, STAND_IN_TEXT);
}

/**
 * The store said no to the event itself (`invalid_input`: detail that is not JSON, a value past a
 * database limit), as opposed to not answering (`audit_failed`): writing it again can never work.
 */
function refusedForContent(error: unknown): boolean {
  return isKeyhouseError(error, 'invalid_input');
}

/**
 * An event in the place of one the store refused for its content: the same time, actor, outcome
 * and subject (each clipped), the action it stood for, no detail. Made only of what every store
 * takes, so the log keeps that something happened, and nothing behind it waits on it.
 */
function standIn(event: AuditInput, error: unknown): AuditInput {
  return {
    at: event.at,
    actorId: clip(event.actorId) ?? 'system',
    action: REFUSED_EVENT_ACTION,
    outcome: event.outcome,
    requestId: clip(event.requestId),
    keyId: clip(event.keyId),
    keyName: clip(event.keyName),
    keySuffix: clip(event.keySuffix),
    upstreamRequestId: clip(event.upstreamRequestId),
    detail: { action: clip(event.action), refused: error instanceof Error ? error.message : 'refused' },
  };
}

/**
 * Audit is fail-closed (product.md §4): `before` writes the event that announces an effect and
 * throws when it cannot, so the effect never happens unrecorded. `after` records how an effect
 * that already happened turned out; it cannot undo the effect, so a failure there is logged.
 *
 * Events the store cannot take now wait in order in a journal, and `before` refuses while any
 * wait (its event would land before them). An event the store refuses for its content would wait
 * for ever and block every later `before` until a restart (for the leak watch, every disable):
 * so it never waits. It is replaced by a stand-in (`audit.refused`: who, when, which key, which
 * action, why) that any store takes, and its full form goes to the log instead. A stand-in refused
 * too is dropped with an error line. Only content refusals do this: while the store is down,
 * events keep waiting, and `before` keeps refusing.
 */
export class Auditor {
  /**
   * Events that happened while the store could not take them (a compensating delete must not
   * wait for the database: product.md §3 rule 3), written in order, with their own time, as soon
   * as the store answers again. In memory: small, and only ever non-empty during an outage.
   */
  readonly #journal: AuditInput[] = [];
  #draining: Promise<unknown> | null = null;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Events recorded but not yet in the store. */
  get journaled(): number {
    return this.#journal.length;
  }

  /**
   * Writes journaled events, oldest first; stops at the first the store cannot take now. One it
   * refuses for its content is replaced in place by its stand-in.
   */
  async flush(): Promise<void> {
    await this.#flush();
  }

  /**
   * `flush`, answering why it stopped short (null when the journal is empty). One drain at a time:
   * two would write the same journaled event twice.
   */
  #flush(): Promise<unknown> {
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = null;
    });
    return this.#draining;
  }

  async #drain(): Promise<unknown> {
    while (this.#journal.length > 0) {
      const next = this.#journal[0]!;
      try {
        this.#ship(await this.store.appendAudit(next));
      } catch (error) {
        if (!refusedForContent(error)) return error;
        const replacement = this.#replace(next, error);
        if (replacement) {
          this.#journal[0] = replacement;
          continue;
        }
      }
      this.#journal.shift();
    }
    return null;
  }

  async before(entry: AuditEntry): Promise<void> {
    const event: AuditInput = { ...entry, at: this.clock.now() };
    try {
      await this.flush();
      if (this.#journal.length > 0) throw new Error('audit journal not yet written');
      this.#ship(await this.store.appendAudit(event));
    } catch (error) {
      // Refused for its content: the action is refused, and the log keeps that it was asked for.
      if (refusedForContent(error)) await this.#record(this.#replace(event, error));
      this.logger.error({ err: error, action: entry.action }, 'audit write failed; refusing the action');
      throw new KeyhouseError(
        'audit_failed',
        'Keyhouse could not record this action in its audit log, so it did not do it.',
        { cause: error },
      );
    }
  }

  /**
   * An audited effect: the `attempt` event first (fail-closed), then `ok` with what `done` adds,
   * or `failed` with the error's name, so no attempt is left without its outcome.
   */
  async effect<T>(
    entry: Omit<AuditEntry, 'outcome'>,
    run: () => Promise<T>,
    done?: (value: T) => Partial<AuditEntry>,
  ): Promise<T> {
    await this.before({ ...entry, outcome: 'attempt' });
    let value: T;
    try {
      value = await run();
    } catch (error) {
      const failure = error instanceof Error ? error.name : 'unknown';
      await this.after({ ...entry, outcome: 'failed', detail: { ...entry.detail, error: failure } });
      throw error;
    }
    await this.after({ ...entry, outcome: 'ok', ...done?.(value) });
    return value;
  }

  /**
   * Records what already happened; when the store fails the event is journaled and written when
   * it answers again (lost only if the process dies first: the journal is in memory).
   */
  async after(entry: AuditEntry): Promise<void> {
    await this.record(entry);
  }

  /**
   * For effects that must happen whatever the store says (deleting a key whose secret nobody
   * received): recorded now if the store answers, else journaled and written when it does.
   * Never throws.
   */
  async compensating(entry: AuditEntry): Promise<void> {
    await this.record(entry);
  }

  async record(entry: AuditEntry): Promise<void> {
    await this.#record({ ...entry, at: this.clock.now() });
  }

  async #record(event: AuditInput | null): Promise<void> {
    if (!event) return;
    try {
      const stuck = await this.#flush();
      if (this.#journal.length > 0) throw stuck ?? new Error('audit journal not yet written');
      this.#ship(await this.store.appendAudit(event));
    } catch (error) {
      if (refusedForContent(error)) {
        await this.#record(this.#replace(event, error));
        return;
      }
      this.#journal.push(event);
      this.logger.error(
        { err: error, action: event.action, outcome: event.outcome, journaled: this.#journal.length },
        'audit write failed; kept to write when the store is back',
      );
    }
  }

  /**
   * The stand-in for `event`, which the store refused for its content; null (the event dropped)
   * when `event` was a stand-in already. Either way the whole event goes to the log.
   */
  #replace(event: AuditInput, error: unknown): AuditInput | null {
    const last = event.action === REFUSED_EVENT_ACTION;
    this.logger.error(
      // Not `audit`: log shippers take lines with that field as stored events.
      { err: error, refusedAudit: { ...event, at: event.at.toISOString() } },
      last
        ? 'audit stand-in refused too; dropped (this line keeps it)'
        : 'audit event refused for its content; written as audit.refused',
    );
    return last ? null : standIn(event, error);
  }

  /** Every stored event is also one log line with an `audit` field, for log shippers (product.md §4). */
  #ship(event: AuditEvent): void {
    this.logger.info({ audit: { ...event, at: event.at.toISOString() } }, 'audit');
  }
}
