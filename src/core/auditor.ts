import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import { KeyhouseError } from './errors.js';
import type { AuditEvent, AuditInput, Store } from './model.js';

export type AuditEntry = Omit<AuditInput, 'at'>;

/**
 * Audit is fail-closed (product.md §4): `before` writes the event that announces an effect and
 * throws when it cannot, so the effect never happens unrecorded. `after` records how an effect
 * that already happened turned out; it cannot undo the effect, so a failure there is logged.
 */
export class Auditor {
  /**
   * Events that happened while the store could not take them (a compensating delete must not
   * wait for the database: product.md §3 rule 3), written in order, with their own time, as soon
   * as the store answers again. In memory: small, and only ever non-empty during an outage.
   */
  readonly #journal: AuditInput[] = [];

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Events recorded but not yet in the store. */
  get journaled(): number {
    return this.#journal.length;
  }

  /** Writes journaled events, oldest first; stops at the first that still fails. */
  async flush(): Promise<void> {
    while (this.#journal.length > 0) {
      const next = this.#journal[0]!;
      try {
        this.#ship(await this.store.appendAudit(next));
      } catch {
        return;
      }
      this.#journal.shift();
    }
  }

  async before(entry: AuditEntry): Promise<void> {
    try {
      await this.flush();
      if (this.#journal.length > 0) throw new Error('audit journal not yet written');
      this.#ship(await this.store.appendAudit({ ...entry, at: this.clock.now() }));
    } catch (error) {
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
    const event: AuditInput = { ...entry, at: this.clock.now() };
    try {
      await this.flush();
      if (this.#journal.length > 0) throw new Error('audit journal not yet written');
      this.#ship(await this.store.appendAudit(event));
    } catch (error) {
      this.#journal.push(event);
      this.logger.error(
        { err: error, action: entry.action, outcome: entry.outcome, journaled: this.#journal.length },
        'audit write failed; kept to write when the store is back',
      );
    }
  }

  /** Every stored event is also one log line with an `audit` field, for log shippers (product.md §4). */
  #ship(event: AuditEvent): void {
    this.logger.info({ audit: { ...event, at: event.at.toISOString() } }, 'audit');
  }
}
