import { afterAll, describe, expect, it } from 'vitest';
import { Prepared, slots } from '../../src/store/prepared.js';
import { openSqlite } from '../../src/store/sqlite-dialect.js';

describe('prepared statements', () => {
  const dialect = openSqlite(':memory:');
  afterAll(() => dialect.close());

  it('builds and compiles once, then runs with the values of each call, in their slots', async () => {
    await dialect.db.schema
      .createTable('watch_state')
      .addColumn('name', 'text')
      .addColumn('value', 'text')
      .addColumn('updated_at', 'integer')
      .execute();
    let builds = 0;
    const put = new Prepared(dialect.db, (d, v: { name: string; value: string; updated_at: number }) => {
      builds += 1;
      return d
        .insertInto('watch_state')
        .values(slots(v, ['name', 'value', 'updated_at']))
        .returning(['name', 'value']);
    });
    const get = new Prepared(dialect.db, (d, v: { name: string }) =>
      d.selectFrom('watch_state').select('value').where('name', '=', v.name),
    );
    expect(builds).toBe(0);
    expect(await put.first(dialect.db, { name: 'a', value: 'one', updated_at: 1 })).toEqual({
      name: 'a',
      value: 'one',
    });
    expect(await put.first(dialect.db, { updated_at: 2, value: 'two', name: 'b' })).toEqual({
      name: 'b',
      value: 'two',
    });
    expect(builds).toBe(1);
    expect(await get.all(dialect.db, { name: 'b' })).toEqual([{ value: 'two' }]);
    expect(await get.first(dialect.db, { name: 'none' })).toBeUndefined();
  });

  it('refuses to run with a slot left empty', async () => {
    const get = new Prepared(dialect.db, (d, v: { name: string }) =>
      d.selectFrom('watch_state').select('value').where('name', '=', v.name),
    );
    await expect(get.all(dialect.db, {} as { name: string })).rejects.toThrow(/no value for name/);
  });
});
