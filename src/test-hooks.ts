import type { Logger } from 'pino';
import type { ClickHouseCloudClient } from './api/index.js';

/**
 * Fault injection for the crash-recovery tests, off unless `KEYHOUSE_TEST_CRASH` names a point:
 * `after-create` kills the process (SIGKILL, no clean-up) right after ClickHouse answered a key
 * creation and before the secret is shown, the worst moment for a crash.
 */
export function installTestHooks(keys: ClickHouseCloudClient, logger: Logger): void {
  if (process.env.KEYHOUSE_TEST_CRASH !== 'after-create') return;
  logger.warn('test hook armed: the process will be killed after the next key creation');
  const create = keys.createKey.bind(keys);
  keys.createKey = async (input) => {
    const created = await create(input);
    process.kill(process.pid, 'SIGKILL');
    return created;
  };
}
