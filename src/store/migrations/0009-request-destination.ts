import type { Migration } from './migration.js';

/**
 * Where a request's key is delivered (product.md §12): a destination of the policy, or null for the
 * requester's own Create key click. The key's place is read from the request that made it.
 */
export const requestDestination: Migration = {
  version: 9,
  name: 'requests name the destination their key is written to',
  async up(db) {
    await db.schema.alterTable('requests').addColumn('destination_id', 'text').execute();
  },
};
