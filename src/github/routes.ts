import { KeyhouseError } from '../core/errors.js';

/**
 * Every GitHub operation this client performs (github-and-vault.md §2), by the name stats, logs and the
 * fake use. `auth` is the credential GitHub wants: the app's JWT for finding an installation and minting
 * its token, an installation token for everything else (GH-SUB `x-github.enabledForGitHubApps`).
 * Templates are what errors and log lines show: the concrete path never appears there.
 */
export const ROUTES = {
  getRepoInstallation: { method: 'GET', template: '/repos/{owner}/{repo}/installation', auth: 'app' },
  createInstallationToken: {
    method: 'POST',
    template: '/app/installations/{installation_id}/access_tokens',
    auth: 'app',
  },
  getRepoPublicKey: {
    method: 'GET',
    template: '/repos/{owner}/{repo}/actions/secrets/public-key',
    auth: 'installation',
  },
  getRepoSecret: {
    method: 'GET',
    template: '/repos/{owner}/{repo}/actions/secrets/{secret_name}',
    auth: 'installation',
  },
  putRepoSecret: {
    method: 'PUT',
    template: '/repos/{owner}/{repo}/actions/secrets/{secret_name}',
    auth: 'installation',
  },
  deleteRepoSecret: {
    method: 'DELETE',
    template: '/repos/{owner}/{repo}/actions/secrets/{secret_name}',
    auth: 'installation',
  },
  getEnvironmentPublicKey: {
    method: 'GET',
    template: '/repos/{owner}/{repo}/environments/{environment_name}/secrets/public-key',
    auth: 'installation',
  },
  getEnvironmentSecret: {
    method: 'GET',
    template: '/repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name}',
    auth: 'installation',
  },
  putEnvironmentSecret: {
    method: 'PUT',
    template: '/repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name}',
    auth: 'installation',
  },
  deleteEnvironmentSecret: {
    method: 'DELETE',
    template: '/repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name}',
    auth: 'installation',
  },
  getAlert: {
    method: 'GET',
    template: '/repos/{owner}/{repo}/secret-scanning/alerts/{alert_number}',
    auth: 'installation',
  },
  updateAlert: {
    method: 'PATCH',
    template: '/repos/{owner}/{repo}/secret-scanning/alerts/{alert_number}',
    auth: 'installation',
  },
  listAlertLocations: {
    method: 'GET',
    template: '/repos/{owner}/{repo}/secret-scanning/alerts/{alert_number}/locations',
    auth: 'installation',
  },
} as const satisfies Record<string, { method: HttpMethod; template: string; auth: 'app' | 'installation' }>;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type RouteName = keyof typeof ROUTES;
export type PathParams = Partial<
  Record<'owner' | 'repo' | 'installation_id' | 'environment_name' | 'secret_name' | 'alert_number', string>
>;

/** A repository as the policy names it (`acme/infra`), split and checked. */
export interface RepositoryName {
  owner: string;
  repo: string;
}

/**
 * GitHub's owner names are letters, digits and single hyphens; repository names add `.` and `_`. The
 * check is a little looser than GitHub's (it lets GitHub say 404 for a name it would never issue) but
 * refuses everything that could change a path's shape: `/`, `..`, `%`, `?`, whitespace.
 */
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;

/** Parses `owner/repo`; throws `invalid_input` for anything else. */
export function parseRepository(fullName: string): RepositoryName {
  const parts = typeof fullName === 'string' ? fullName.split('/') : [];
  const [owner, repo] = parts;
  if (
    parts.length !== 2 ||
    owner === undefined ||
    repo === undefined ||
    !OWNER.test(owner) ||
    !REPO.test(repo) ||
    repo === '.' ||
    repo === '..'
  ) {
    throw new KeyhouseError('invalid_input', 'a GitHub repository must be written owner/name');
  }
  return { owner, repo };
}

/**
 * An environment name goes into one path segment, URL-encoded (GH-SUB `environment-name`: a `/` becomes
 * `%2F`). Empty names and control characters are refused before anything is sent.
 */
export function checkEnvironmentName(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (typeof name !== 'string' || name.trim() === '' || name.length > 255 || /[\u0000-\u001f]/.test(name)) {
    throw new KeyhouseError('invalid_input', 'a GitHub environment name must be 1–255 printable characters');
  }
  return name;
}

/** Fills a route template; every value is encoded, so none can change the path's shape. */
export function buildPath(route: RouteName, params: PathParams): string {
  return ROUTES[route].template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name as keyof PathParams];
    if (value === undefined || value === '') {
      throw new KeyhouseError('internal', `GitHub route ${route} needs ${name}`);
    }
    return encodeURIComponent(value);
  });
}
