import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { KeyhouseError } from '../errors.js';
import type { AuditEvent, AuditInput, Store } from '../store/types.js';

export type AuditEntry = Omit<AuditInput, 'at'>;

/**
 * Audit is fail-closed (product.md §4): `before` writes the event that announces an effect and
 * throws when it cannot, so the effect never happens unrecorded. `after` records how an effect
 * that already happened turned out; it cannot undo the effect, so a failure there is logged.
 */
export class Auditor {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async before(entry: AuditEntry): Promise<void> {
    try {
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

  async after(entry: AuditEntry): Promise<void> {
    try {
      this.#ship(await this.store.appendAudit({ ...entry, at: this.clock.now() }));
    } catch (error) {
      this.logger.error({ err: error, action: entry.action, outcome: entry.outcome }, 'audit write failed');
    }
  }

  /** Every stored event is also one log line with an `audit` field, for log shippers (product.md §4). */
  #ship(event: AuditEvent): void {
    this.logger.info({ audit: { ...event, at: event.at.toISOString() } }, 'audit');
  }
}
