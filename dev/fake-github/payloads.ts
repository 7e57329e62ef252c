/**
 * JSON shapes the fake answers and sends, built to GitHub's descriptions (`../shared/ref/`): the REST
 * subset's `installation`, `simple-user`, `secret-scanning-alert(-with-metadata)` and location schemas,
 * and the webhook schema's `secret-scanning-alert-webhook` and `repository-webhooks`. The contract tests
 * hold every one of them to those files, strictly (no field the description lacks).
 */

/** Where the fake says its web pages are; links only, nothing is served there. */
export const WEB_URL = 'https://github.fake';
const DOCS = 'https://docs.github.com/rest';

export interface UserLike {
  login: string;
  id: number;
  type: 'User' | 'Organization' | 'Bot';
}

/** `simple-user`, every required field present. */
export function simpleUser(apiUrl: string, user: UserLike): Record<string, unknown> {
  // GitHub encodes the login in its URLs: a bot's `name[bot]` becomes `name%5Bbot%5D`.
  const login = encodeURIComponent(user.login);
  const api = `${apiUrl}/users/${login}`;
  return {
    login: user.login,
    id: user.id,
    node_id: nodeId('U', user.id),
    avatar_url: `${WEB_URL}/avatars/${user.id}`,
    gravatar_id: '',
    url: api,
    html_url: `${WEB_URL}/${login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: user.type,
    site_admin: false,
  };
}

export interface InstallationLike {
  id: number;
  appId: number;
  appSlug: string;
  account: UserLike;
  permissions: Record<string, 'read' | 'write'>;
  createdAt: string;
}

/** `installation` as `GET /repos/{owner}/{repo}/installation` answers it. */
export function installationBody(apiUrl: string, installation: InstallationLike): Record<string, unknown> {
  return {
    id: installation.id,
    account: simpleUser(apiUrl, installation.account),
    repository_selection: 'selected',
    access_tokens_url: `${apiUrl}/app/installations/${installation.id}/access_tokens`,
    repositories_url: `${apiUrl}/installation/repositories`,
    html_url: `${WEB_URL}/organizations/${installation.account.login}/settings/installations/${installation.id}`,
    app_id: installation.appId,
    app_slug: installation.appSlug,
    target_id: installation.account.id,
    target_type: installation.account.type,
    permissions: installation.permissions,
    events: ['secret_scanning_alert'],
    created_at: installation.createdAt,
    updated_at: installation.createdAt,
    single_file_name: null,
    suspended_by: null,
    suspended_at: null,
  };
}

export interface RepositoryLike {
  id: number;
  owner: UserLike;
  name: string;
  createdAt: string;
}

/** `repository-webhooks`, the repository object of a webhook delivery, every required field present. */
export function webhookRepository(apiUrl: string, repository: RepositoryLike): Record<string, unknown> {
  const fullName = `${repository.owner.login}/${repository.name}`;
  const api = `${apiUrl}/repos/${fullName}`;
  const html = `${WEB_URL}/${fullName}`;
  const templated = (path: string) => `${api}/${path}`;
  return {
    id: repository.id,
    node_id: nodeId('R', repository.id),
    name: repository.name,
    full_name: fullName,
    private: true,
    owner: simpleUser(apiUrl, repository.owner),
    html_url: html,
    description: null,
    fork: false,
    url: api,
    archive_url: templated('{archive_format}{/ref}'),
    assignees_url: templated('assignees{/user}'),
    blobs_url: templated('git/blobs{/sha}'),
    branches_url: templated('branches{/branch}'),
    collaborators_url: templated('collaborators{/collaborator}'),
    comments_url: templated('comments{/number}'),
    commits_url: templated('commits{/sha}'),
    compare_url: templated('compare/{base}...{head}'),
    contents_url: templated('contents/{+path}'),
    contributors_url: templated('contributors'),
    deployments_url: templated('deployments'),
    downloads_url: templated('downloads'),
    events_url: templated('events'),
    forks_url: templated('forks'),
    git_commits_url: templated('git/commits{/sha}'),
    git_refs_url: templated('git/refs{/sha}'),
    git_tags_url: templated('git/tags{/sha}'),
    git_url: `git://github.fake/${fullName}.git`,
    issue_comment_url: templated('issues/comments{/number}'),
    issue_events_url: templated('issues/events{/number}'),
    issues_url: templated('issues{/number}'),
    keys_url: templated('keys{/key_id}'),
    labels_url: templated('labels{/name}'),
    languages_url: templated('languages'),
    merges_url: templated('merges'),
    milestones_url: templated('milestones{/number}'),
    notifications_url: templated('notifications{?since,all,participating}'),
    pulls_url: templated('pulls{/number}'),
    releases_url: templated('releases{/id}'),
    ssh_url: `git@github.fake:${fullName}.git`,
    stargazers_url: templated('stargazers'),
    statuses_url: templated('statuses/{sha}'),
    subscribers_url: templated('subscribers'),
    subscription_url: templated('subscription'),
    tags_url: templated('tags'),
    teams_url: templated('teams'),
    trees_url: templated('git/trees{/sha}'),
    clone_url: `${html}.git`,
    mirror_url: null,
    hooks_url: templated('hooks'),
    svn_url: html,
    homepage: null,
    language: null,
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    size: 0,
    default_branch: 'main',
    open_issues: 0,
    open_issues_count: 0,
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: false,
    archived: false,
    disabled: false,
    license: null,
    pushed_at: repository.createdAt,
    created_at: repository.createdAt,
    updated_at: repository.createdAt,
  };
}

/** A place a secret was found, as a test describes it: a file in a commit (the usual), or an issue. */
export type LocationInput =
  | {
      type: 'commit';
      path: string;
      commitSha: string;
      blobSha?: string;
      startLine?: number;
      endLine?: number;
    }
  | { type: 'issue_body'; issueNumber: number };

/** `secret-scanning-location` for one input. */
export function locationBody(
  apiUrl: string,
  fullName: string,
  location: LocationInput,
): Record<string, unknown> {
  const api = `${apiUrl}/repos/${fullName}`;
  if (location.type === 'issue_body') {
    return {
      type: 'issue_body',
      details: {
        issue_body_url: `${api}/issues/${location.issueNumber}`,
        html_url: `${WEB_URL}/${fullName}/issues/${location.issueNumber}`,
      },
    };
  }
  const blobSha = location.blobSha ?? location.commitSha.split('').reverse().join('');
  const startLine = location.startLine ?? 1;
  const endLine = location.endLine ?? startLine;
  return {
    type: 'commit',
    details: {
      path: location.path,
      start_line: startLine,
      end_line: endLine,
      start_column: 1,
      end_column: 43,
      blob_sha: blobSha,
      blob_url: `${api}/git/blobs/${blobSha}`,
      commit_sha: location.commitSha,
      commit_url: `${api}/git/commits/${location.commitSha}`,
      html_url: `${WEB_URL}/${fullName}/blob/${location.commitSha}/${location.path}#L${startLine}-L${endLine}`,
    },
  };
}

/** What the fake keeps of an alert. */
export interface AlertRecord {
  number: number;
  secret: string;
  secretType: string;
  secretTypeDisplayName: string;
  state: 'open' | 'resolved';
  resolution: 'false_positive' | 'wont_fix' | 'revoked' | 'used_in_tests' | null;
  resolutionComment: string | null;
  resolvedAt: string | null;
  resolvedBy: UserLike | null;
  createdAt: string;
  updatedAt: string;
  locations: LocationInput[];
}

/** The fields REST and webhook alerts share (`secret-scanning-alert` and `secret-scanning-alert-webhook`). */
function alertCommon(apiUrl: string, fullName: string, alert: AlertRecord): Record<string, unknown> {
  const api = `${apiUrl}/repos/${fullName}/secret-scanning/alerts/${alert.number}`;
  return {
    number: alert.number,
    created_at: alert.createdAt,
    updated_at: alert.updatedAt,
    url: api,
    html_url: `${WEB_URL}/${fullName}/security/secret-scanning/${alert.number}`,
    locations_url: `${api}/locations`,
    resolution: alert.resolution,
    resolved_at: alert.resolvedAt,
    resolved_by: alert.resolvedBy === null ? null : simpleUser(apiUrl, alert.resolvedBy),
    resolution_comment: alert.resolutionComment,
    secret_type: alert.secretType,
    secret_type_display_name: alert.secretTypeDisplayName,
    // A custom pattern's alerts name no provider.
    provider: null,
    provider_slug: null,
    validity: 'unknown',
    push_protection_bypassed: false,
    push_protection_bypassed_by: null,
    push_protection_bypassed_at: null,
    publicly_leaked: false,
    multi_repo: false,
    assigned_to: null,
  };
}

/**
 * A REST alert. `hide_secret` leaves `secret` out (what GitHub does then is UNCERTAIN: absent, empty or
 * masked; absent is the choice here). `withMetadata` adds the get/patch-only `metadata`.
 */
export function restAlert(
  apiUrl: string,
  fullName: string,
  alert: AlertRecord,
  options: { hideSecret: boolean; withMetadata: boolean },
): Record<string, unknown> {
  const first = alert.locations[0];
  return {
    ...alertCommon(apiUrl, fullName, alert),
    state: alert.state,
    ...(options.hideSecret ? {} : { secret: alert.secret }),
    is_base64_encoded: false,
    first_location_detected: first === undefined ? null : locationBody(apiUrl, fullName, first).details,
    has_more_locations: alert.locations.length > 1,
    ...(options.withMetadata ? { metadata: [] } : {}),
  };
}

/** The webhook's alert: no `secret` and no `state` (GH-HOOK), plus `secret_category`. */
export function webhookAlert(apiUrl: string, fullName: string, alert: AlertRecord): Record<string, unknown> {
  return { ...alertCommon(apiUrl, fullName, alert), secret_category: 'default' };
}

/** `basic-error`, as GitHub sends it (its `status` is a string). */
export function basicError(status: number, message: string): Record<string, unknown> {
  return { message, documentation_url: DOCS, status: String(status) };
}

/** `validation-error` (422). */
export function validationError(
  message: string,
  errors: { resource: string; field: string; code: string }[],
): Record<string, unknown> {
  return { message, documentation_url: DOCS, errors };
}

function nodeId(prefix: string, id: number): string {
  return Buffer.from(`${prefix}_${id}`).toString('base64');
}
