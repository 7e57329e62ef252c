import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { KeyhouseError } from '../errors.js';
import type { AuditInput, Store } from '../store/types.js';

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
      await this.store.appendAudit({ ...entry, at: this.clock.now() });
    } catch (error) {
      this.logger.error({ err: error, action: entry.action }, 'audit write failed; refusing the action');
      throw new KeyhouseError(
        'audit_failed',
        'Keyhouse could not record this action in its audit log, so it did not do it.',
        { cause: error },
      );
    }
  }

  async after(entry: AuditEntry): Promise<void> {
    try {
      await this.store.appendAudit({ ...entry, at: this.clock.now() });
    } catch (error) {
      this.logger.error({ err: error, action: entry.action, outcome: entry.outcome }, 'audit write failed');
    }
  }
}
