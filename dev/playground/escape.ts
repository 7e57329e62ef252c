/**
 * A slash command's text as Slack sends it with `should_escape: true` (manifest.yml): `&`, `<`, `>`
 * as entities, a person typed as `@alice` as `<@U0ALICE|alice>`, a channel as `<#C0GENERAL|general>`,
 * `@here`/`@channel`/`@everyone` as `<!here>`…. A name Slack knows nobody by stays as typed, as in
 * Slack (slack-platform.md, slash commands).
 */
import type { PlaygroundPeople } from './people.js';

const SPECIAL = new Set(['here', 'channel', 'everyone']);

/** A person's handle in the playground: their first name, lower case (`Alice Ahmed` → `alice`). */
export function handleOf(name: string): string {
  return (name.split(' ')[0] ?? name).toLowerCase();
}

export function escapeCommandText(text: string, people: PlaygroundPeople): string {
  const entities = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  // A mention starts the text or follows a space, as Slack's composer reads it.
  return entities.replace(
    /(^|\s)([@#])([a-z0-9][a-z0-9._-]*)/gi,
    (whole, before: string, sigil, name: string) => {
      const wanted = name.toLowerCase();
      if (sigil === '@') {
        if (SPECIAL.has(wanted)) return `${before}<!${wanted}>`;
        const person = people.people.find(
          (p) => handleOf(p.name) === wanted || p.id.toLowerCase() === wanted,
        );
        return person ? `${before}<@${person.id}|${handleOf(person.name)}>` : whole;
      }
      const channel = people.channels.find((c) => c.name.toLowerCase() === wanted);
      return channel ? `${before}<#${channel.id}|${channel.name}>` : whole;
    },
  );
}
