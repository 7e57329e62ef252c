/**
 * `npm run emulator`: the ClickHouse Cloud API emulator on its own, for local development.
 *
 * EMULATOR_PORT (default 8124), EMULATOR_RATE_LIMIT=1 (10 requests per 10 s per key),
 * EMULATOR_LATENCY_MS, EMULATOR_KEY_ID + EMULATOR_KEY_SECRET (fixed admin credentials for `.env`).
 * Prints one line with the URL, organization id and admin key id (and the secret when it was
 * generated, since nobody else knows it), then runs until SIGINT or SIGTERM.
 */
import { z } from 'zod';
import { startEmulator } from './server.js';

const env = z
  .object({
    EMULATOR_PORT: z.coerce.number().int().min(0).max(65_535).default(8124),
    EMULATOR_RATE_LIMIT: z.enum(['0', '1']).default('0'),
    EMULATOR_LATENCY_MS: z.coerce.number().int().min(0).default(0),
    EMULATOR_KEY_ID: z.string().min(1).optional(),
    EMULATOR_KEY_SECRET: z.string().min(1).optional(),
  })
  .refine((vars) => (vars.EMULATOR_KEY_ID === undefined) === (vars.EMULATOR_KEY_SECRET === undefined), {
    message: 'set both EMULATOR_KEY_ID and EMULATOR_KEY_SECRET, or neither',
  });

async function main(): Promise<void> {
  const parsed = env.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'env'}: ${issue.message}`);
    process.stderr.write(`emulator: invalid environment: ${problems.join('; ')}\n`);
    process.exitCode = 2;
    return;
  }
  const vars = parsed.data;
  const fixedKey = vars.EMULATOR_KEY_ID !== undefined && vars.EMULATOR_KEY_SECRET !== undefined;
  const emulator = await startEmulator({
    port: vars.EMULATOR_PORT,
    rateLimit: vars.EMULATOR_RATE_LIMIT === '1',
    latencyMs: vars.EMULATOR_LATENCY_MS,
    ...(fixedKey ? { adminKey: { keyId: vars.EMULATOR_KEY_ID, keySecret: vars.EMULATOR_KEY_SECRET } } : {}),
  });
  const secret = fixedKey ? '' : ` keySecret=${emulator.adminKey.keySecret}`;
  process.stdout.write(
    `ClickHouse Cloud API emulator on ${emulator.url} organizationId=${emulator.organizationId} ` +
      `keyId=${emulator.adminKey.keyId}${secret}\n`,
  );
  const stop = (): void => {
    void emulator.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`emulator: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
