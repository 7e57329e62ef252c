/**
 * The environment and the policy file together, as the start reads them: every problem of both,
 * and every destination the policy names that the environment does not configure (product.md §12),
 * reported in one message before anything connects.
 */
import { type Config, ConfigError, loadConfig } from './config.js';
// The check alone: the writer and its clients load only when GitHub or Vault is configured (main.ts).
import { destinationProblems } from './delivery/check.js';
import { loadPolicy, type PolicyDocument, PolicyError } from './policy/index.js';

export async function loadSettings(
  env: Record<string, string | undefined> = process.env,
): Promise<{ config: Readonly<Config>; policy: PolicyDocument }> {
  let config: Readonly<Config> | null = null;
  const problems: string[] = [];
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  const policyPath = config?.policyPath ?? (env.KEYHOUSE_POLICY?.trim() || './policy.yml');
  let policy: PolicyDocument;
  try {
    policy = await loadPolicy(policyPath);
  } catch (error) {
    // The policy's own problems are reported as the policy's, after the environment's.
    if (problems.length > 0 && error instanceof PolicyError)
      throw new ConfigError([...problems, error.message]);
    throw error;
  }
  problems.push(...destinationProblems(policy.destinations, configured(env)));
  if (problems.length > 0 || !config) throw new ConfigError(problems);
  return { config, policy };
}

/** Which services the environment sets up, from the raw values (so known even when some are invalid). */
function configured(env: Record<string, string | undefined>): { github: boolean; vault: boolean } {
  const set = (name: string) => Boolean(env[name]?.trim());
  return {
    github: set('GITHUB_APP_ID') && set('GITHUB_APP_PRIVATE_KEY'),
    vault: set('VAULT_ADDR') && (set('VAULT_TOKEN') || (set('VAULT_ROLE_ID') && set('VAULT_SECRET_ID'))),
  };
}
