import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { requirement } from './requirements.js';

/** The test PostgreSQL server, or null (the suite skips; under KEYHOUSE_TEST_REQUIRE_ALL it fails). */
export const pgUrl = requirement(process.env.TEST_DATABASE_URL, 'TEST_DATABASE_URL not set (no PostgreSQL)');

export interface ThrowawaySchema {
  /** `keyhouse_test_<random>`: a plain identifier, safe to splice into SQL. */
  name: string;
  /** Runs SQL with this schema first on the search path, as a second, independent connection. */
  exec(sql: string): Promise<void>;
  /** Every row of every table in the schema as PostgreSQL prints it, for a test that searches them all. */
  text(): Promise<string>;
  /** Drops the schema and everything in it. */
  drop(): Promise<void>;
}

async function withClient<T>(url: string, schema: string | null, work: (client: pg.Client) => Promise<T>) {
  const client = new pg.Client({
    connectionString: url,
    ...(schema && { options: `-c search_path=${schema}` }),
  });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty schema of its own, so a test (or a test file) cannot see any other's rows. */
export async function createThrowawaySchema(url: string): Promise<ThrowawaySchema> {
  const name = `keyhouse_test_${randomBytes(6).toString('hex')}`;
  await withClient(url, null, (client) => client.query(`CREATE SCHEMA ${name}`));
  return {
    name,
    exec: async (sql) => {
      await withClient(url, name, (client) => client.query(sql));
    },
    text: () =>
      withClient(url, name, async (client) => {
        const tables = await client.query<{ table_name: string }>(
          'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
          [name],
        );
        const rows: string[] = [];
        for (const { table_name } of tables.rows) {
          const read = await client.query<{ row: string }>(
            `SELECT t::text AS row FROM ${name}.${client.escapeIdentifier(table_name)} t`,
          );
          rows.push(...read.rows.map((r) => r.row));
        }
        return rows.join('\n');
      }),
    drop: async () => {
      await withClient(url, null, (client) => client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`));
    },
  };
}
