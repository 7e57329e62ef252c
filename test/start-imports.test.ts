/**
 * What a start loads (issue 21): the modules `src/main.ts` reaches through static imports, as Node
 * loads them before main runs. The outside services' clients, the delivery writer, the outside-leak
 * doors and RE2 are reached only through `import()` when configured (or, for RE2, a policy's own
 * key-name pattern), so a Keyhouse without them never loads them. `import type` is erased; an import
 * of inline types only (`import { type A }`) still loads its module under verbatimModuleSyntax, so it
 * counts.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/requirements.js';

interface Reached {
  files: Set<string>;
  packages: Set<string>;
  /** Every package specifier as written (`@slack/bolt/dist/App.js`). */
  specifiers: Set<string>;
}

/** Every module of ours and every package reached from `entry` by static imports and re-exports. */
function staticallyReached(entry: string): Reached {
  const files = new Set<string>();
  const packages = new Set<string>();
  const specifiers = new Set<string>();
  const pending = [resolve(repoRoot, entry)];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, false);
    for (const statement of source.statements) {
      let specifier: ts.Expression | undefined;
      if (ts.isImportDeclaration(statement)) {
        if (statement.importClause?.isTypeOnly) continue;
        specifier = statement.moduleSpecifier;
      } else if (ts.isExportDeclaration(statement)) {
        if (statement.isTypeOnly || !statement.moduleSpecifier) continue;
        specifier = statement.moduleSpecifier;
      }
      if (!specifier || !ts.isStringLiteral(specifier)) continue;
      const name = specifier.text;
      if (name.startsWith('.')) {
        pending.push(join(dirname(file), name.replace(/\.js$/, '.ts')));
      } else if (!name.startsWith('node:')) {
        specifiers.add(name);
        packages.add(name.startsWith('@') ? name.split('/').slice(0, 2).join('/') : name.split('/')[0]!);
      }
    }
  }
  return { files, packages, specifiers };
}

describe('what a start loads before main runs', () => {
  const reached = staticallyReached('src/main.ts');
  const ours = [...reached.files].map((file) => relative(repoRoot, file));

  it('reaches the app itself (the walk follows imports: a sanity check that it can fail)', () => {
    expect(ours).toContain('src/app.ts');
    expect(ours).toContain('src/workflow/gate.ts');
    expect(ours).toContain('src/views/outcomes.ts');
    expect(ours).toContain('src/delivery/check.ts');
    expect([...reached.packages]).toEqual(expect.arrayContaining(['@slack/web-api', 'zod', 'kysely']));
  });

  it('leaves out GitHub, Vault, the delivery writer and the outside-leak doors: import() loads them when configured', () => {
    const outside = ours.filter((file) =>
      /^src\/(github\/|vault\/|delivery\/(writer|index)\.ts|watch\/(github-alerts|outside-leaks|leak-report)\.ts|http\/leak-routes\.ts|outside-leak-routes\.ts)/.test(
        file,
      ),
    );
    expect(outside).toEqual([]);
  });

  it('leaves out RE2 (the default key-name pattern runs without it) and the GitHub JWT and sealed-box libraries', () => {
    expect(
      [...reached.packages].filter((name) => /^(re2js|libsodium|universal-github-app-jwt)/.test(name)),
    ).toEqual([]);
  });

  it("takes Bolt's classes from their own modules: its index would require Express for a receiver Keyhouse never uses", () => {
    expect([...reached.specifiers].filter((name) => name === '@slack/bolt')).toEqual([]);
    // src/bolt.ts requires them one by one.
    expect(ours).toContain('src/bolt.ts');
  });
});
