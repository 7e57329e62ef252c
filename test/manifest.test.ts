import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot, requirement, sharedRef } from './support/requirements.js';

type Manifest = {
  display_information: { name: string };
  features: {
    slash_commands: { command: string; url?: string; should_escape?: boolean }[];
    app_home: Record<string, boolean>;
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    interactivity: { is_enabled: boolean; request_url?: string };
    event_subscriptions: { request_url?: string; bot_events: string[] };
    socket_mode_enabled: boolean;
  };
};

const manifestText = readFileSync(resolve(repoRoot, 'manifest.yml'), 'utf8');

/** The bot scope each Web API method needs (Slack's method pages); null: none. */
const METHOD_SCOPES: Record<string, string | null> = {
  'auth.test': null,
  'apps.connections.open': null,
  'chat.postMessage': 'chat:write',
  'chat.postEphemeral': 'chat:write',
  'chat.update': 'chat:write',
  'chat.delete': 'chat:write',
  'conversations.open': 'im:write',
  'usergroups.users.list': 'usergroups:read',
  'users.info': 'users:read',
  'users.list': 'users:read',
  'views.open': null,
  'views.push': null,
  'views.update': null,
  'views.publish': null,
};

/** The bot scope each event subscription needs; null: none. */
const EVENT_SCOPES: Record<string, string | null> = {
  app_home_opened: null,
  user_change: 'users:read',
  'message.channels': 'channels:history',
  'message.groups': 'groups:history',
  'message.im': 'im:history',
  'message.mpim': 'mpim:history',
};

/** Every `client.<family>.<method>(` call in src/ (the Web API as Bolt's and our clients call it). */
function webApiMethodsCalled(): Set<string> {
  const found = new Set<string>();
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith('.ts')) {
        const code = readFileSync(path, 'utf8');
        for (const match of code.matchAll(
          /\bclient\.(auth|apps|chat|conversations|usergroups|users|views)\.((?:\w+\.)*\w+)\(/g,
        )) {
          found.add(`${match[1]}.${match[2]}`);
        }
      }
    }
  };
  visit(resolve(repoRoot, 'src'));
  return found;
}
const load = (): Manifest => parse(manifestText) as Manifest;

describe('manifest.yml', () => {
  const manifest = load();

  it('asks for exactly the bot scopes the code uses: the methods it calls and the events it takes', () => {
    const needed = new Set(['commands']);
    for (const method of webApiMethodsCalled()) {
      const scope = METHOD_SCOPES[method];
      if (scope === undefined) throw new Error(`add ${method} to METHOD_SCOPES (null if it needs no scope)`);
      if (scope) needed.add(scope);
    }
    for (const event of manifest.settings.event_subscriptions.bot_events) {
      const scope = EVENT_SCOPES[event];
      if (scope === undefined) throw new Error(`add ${event} to EVENT_SCOPES (null if it needs no scope)`);
      if (scope) needed.add(scope);
    }
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...needed].sort());
  });

  it('subscribes to messages in channels, private channels, DMs and group DMs, for the leak tripwire', () => {
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(
      expect.arrayContaining(['message.channels', 'message.groups', 'message.im', 'message.mpim']),
    );
  });

  it('declares /chkey, escaped (so `audit @user` carries a user id), at the Bolt endpoint', () => {
    const [command, ...others] = manifest.features.slash_commands;
    expect(others).toEqual([]);
    expect(command?.command).toBe('/chkey');
    expect(command?.should_escape).toBe(true);
    expect(command?.url).toMatch(/^https:\/\/[^/]+\/slack\/events$/);
  });

  it('sends interactions and events to the same endpoint, and subscribes to app_home_opened and user_change', () => {
    const commandUrl = manifest.features.slash_commands[0]?.url;
    expect(manifest.settings.interactivity).toMatchObject({ is_enabled: true, request_url: commandUrl });
    expect(manifest.settings.event_subscriptions.request_url).toBe(commandUrl);
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(
      expect.arrayContaining(['app_home_opened', 'user_change']),
    );
    expect(manifest.settings.socket_mode_enabled).toBe(false);
  });

  it('enables the Home tab and the Messages tab the DM lives in', () => {
    expect(manifest.features.app_home).toMatchObject({ home_tab_enabled: true, messages_tab_enabled: true });
  });
});

const schemaPath = requirement(
  sharedRef('slack-app-manifest.schema.json'),
  'the Slack app manifest schema in ../shared/ref',
);

describe.skipIf(!schemaPath)("manifest.yml against Slack's manifest schema", () => {
  let validate: ValidateFunction;
  const violations = (manifest: unknown): ErrorObject[] =>
    validate(manifest) ? [] : [...(validate.errors ?? [])];

  beforeAll(() => {
    // The schema uses non-standard keywords (`_note`, `regex`), which only a non-strict Ajv accepts.
    const ajv = new Ajv({ strict: false, allErrors: true });
    // ajv-formats is CommonJS: under NodeNext its default import is the module, the plugin is `.default`.
    addFormats.default(ajv);
    validate = ajv.compile(JSON.parse(readFileSync(schemaPath as string, 'utf8')));
  });

  it('is valid', () => {
    expect(violations(load())).toEqual([]);
  });

  it('rejects a misspelt top-level key', () => {
    const { features, ...rest } = load() as Manifest & Record<string, unknown>;
    const errors = violations({ ...rest, feature: features });
    expect(errors).toContainEqual(
      expect.objectContaining({
        keyword: 'additionalProperties',
        params: { additionalProperty: 'feature' },
      }),
    );
  });

  it('rejects an unknown field in a slash command', () => {
    const manifest = load();
    const command = manifest.features.slash_commands[0] as Record<string, unknown>;
    command.descripton = 'typo';
    expect(violations(manifest)).toContainEqual(
      expect.objectContaining({
        instancePath: '/features/slash_commands/0',
        keyword: 'additionalProperties',
        params: { additionalProperty: 'descripton' },
      }),
    );
  });

  it('rejects a display name over 35 characters', () => {
    const manifest = load();
    manifest.display_information.name = 'K'.repeat(40);
    expect(violations(manifest)).toContainEqual(
      expect.objectContaining({ instancePath: '/display_information/name', keyword: 'maxLength' }),
    );
  });
});
