/**
 * A destination the policy names but this Keyhouse cannot reach stops the start (product.md §12),
 * each named with what is missing, together with every other problem of the environment.
 */
import type { Destination } from '../core/policy-model.js';

export interface ConfiguredServices {
  github: boolean;
  vault: boolean;
}

export function destinationProblems(
  destinations: readonly Destination[],
  configured: ConfiguredServices,
): string[] {
  const problems: string[] = [];
  for (const destination of destinations) {
    if (destination.type === 'github-actions' && !configured.github) {
      problems.push(
        `destination ${destination.id} (github-actions, ${destination.repository}) needs GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY`,
      );
    }
    if (destination.type === 'vault-kv' && !configured.vault) {
      problems.push(
        `destination ${destination.id} (vault-kv, ${destination.mount}) needs VAULT_ADDR and VAULT_ROLE_ID/VAULT_SECRET_ID or VAULT_TOKEN`,
      );
    }
  }
  return problems;
}
