/**
 * `X-Hub-Signature-256` verification (DOC-SIG) with GitHub's official test vector, and the fake's
 * signed `secret_scanning_alert` deliveries received by a small server that verifies them the way
 * `POST /leaks/github` will: over the raw bytes, before parsing.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Secret } from '../../src/core/secret.js';
import { SecretScanningAlertEventSchema, verifyWebhookSignature } from '../../src/github/index.js';
import {
  checkDescriptionsAtEnd,
  type GitHubWorld,
  seenInFile,
  startGitHubWorld,
  stopGitHubWorld,
} from '../support/github.js';

// DOC-SIG's test vector, checked locally in the fact sheet.
const VECTOR_SECRET = new Secret("It's a Secret to Everybody");
const VECTOR_BODY = 'Hello, World!';
const VECTOR_SIGNATURE = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

describe('verifyWebhookSignature', () => {
  it('accepts GitHub’s official test vector, as a string and as bytes', () => {
    expect(verifyWebhookSignature(VECTOR_SECRET, VECTOR_BODY, VECTOR_SIGNATURE)).toBe(true);
    expect(verifyWebhookSignature(VECTOR_SECRET, Buffer.from(VECTOR_BODY, 'utf8'), VECTOR_SIGNATURE)).toBe(
      true,
    );
  });

  it.each([
    ['another body', VECTOR_SECRET, 'Hello, World?', VECTOR_SIGNATURE],
    ['another secret', new Secret("It's a secret to everybody"), VECTOR_BODY, VECTOR_SIGNATURE],
    ['no header', VECTOR_SECRET, VECTOR_BODY, undefined],
    ['an empty header', VECTOR_SECRET, VECTOR_BODY, ''],
    ['the digest without its prefix', VECTOR_SECRET, VECTOR_BODY, VECTOR_SIGNATURE.slice(7)],
    ['the SHA-1 prefix', VECTOR_SECRET, VECTOR_BODY, VECTOR_SIGNATURE.replace('sha256', 'sha1')],
    [
      'upper-case hex (GitHub sends lower-case)',
      VECTOR_SECRET,
      VECTOR_BODY,
      `sha256=${VECTOR_SIGNATURE.slice(7).toUpperCase()}`,
    ],
    ['a digest one character short', VECTOR_SECRET, VECTOR_BODY, VECTOR_SIGNATURE.slice(0, -1)],
    ['a digest one character long', VECTOR_SECRET, VECTOR_BODY, `${VECTOR_SIGNATURE}0`],
    ['the last digit changed', VECTOR_SECRET, VECTOR_BODY, `${VECTOR_SIGNATURE.slice(0, -1)}6`],
  ])('refuses %s', (_, secret, body, header) => {
    expect(verifyWebhookSignature(secret, body, header)).toBe(false);
  });

  it('signs the bytes received: the same JSON re-serialised with other spacing fails', () => {
    const raw = '{"action":"created",  "alert":{"number":1}}';
    const header = `sha256=${createHmac('sha256', 'hook').update(raw).digest('hex')}`;
    expect(verifyWebhookSignature(new Secret('hook'), raw, header)).toBe(true);
    expect(verifyWebhookSignature(new Secret('hook'), JSON.stringify(JSON.parse(raw)), header)).toBe(false);
  });
});

interface Received {
  headers: IncomingHttpHeaders;
  raw: Buffer;
  verified: boolean;
}

/** A receiver that answers 401 to anything unsigned or mis-signed, and 200 after parsing the rest. */
async function startReceiver(secret: Secret): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const signature = req.headers['x-hub-signature-256'];
      const verified = verifyWebhookSignature(
        secret,
        raw,
        typeof signature === 'string' ? signature : undefined,
      );
      received.push({ headers: req.headers, raw, verified });
      if (!verified) {
        res.writeHead(401).end();
        return;
      }
      const event = SecretScanningAlertEventSchema.safeParse(JSON.parse(raw.toString('utf8')));
      res.writeHead(event.success ? 200 : 400).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/leaks/github`, received, server };
}

const seen = seenInFile();

describe('the fake’s secret_scanning_alert deliveries', () => {
  const HOOK_SECRET = 'whsec-for-tests-only';
  let world: GitHubWorld | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  afterEach(async () => {
    await stopGitHubWorld(world);
    await new Promise((resolve) => receiver?.server.close(resolve) ?? resolve(undefined));
    world = undefined;
    receiver = undefined;
  });

  async function setUp() {
    world = await startGitHubWorld(seen);
    world.fake.addRepository('acme/infra');
    receiver = await startReceiver(new Secret(HOOK_SECRET));
    return { world, receiver };
  }

  it('are signed over their raw body, carry GitHub’s headers, and lead to the alert’s secret through the REST API', async () => {
    const { world, receiver } = await setUp();
    const alert = world.fake.addAlert('acme/infra', { secret: '4b1dFoundInTerraform0123456789abcdefghijk' });

    const sent = await world.fake.sendAlertWebhook(receiver.url, HOOK_SECRET, alert);

    expect(sent.status).toBe(200);
    const [delivery] = receiver.received;
    expect(delivery?.verified).toBe(true);
    expect(delivery?.headers).toMatchObject({
      'x-github-event': 'secret_scanning_alert',
      'x-github-delivery': sent.deliveryId,
      'x-github-hook-installation-target-type': 'integration',
      'user-agent': expect.stringMatching(/^GitHub-Hookshot\//),
    });
    expect(sent.deliveryId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const event = SecretScanningAlertEventSchema.parse(JSON.parse(delivery!.raw.toString('utf8')));
    expect(event).toEqual({
      action: 'created',
      alert: expect.objectContaining({ number: 1 }),
      repository: expect.objectContaining({ full_name: 'acme/infra' }),
      installation: expect.objectContaining({ id: world.fake.installationId }),
    });
    // The webhook's alert has neither the secret nor a state (GH-HOOK): those come from the REST API.
    const payloadAlert = (sent.payload as { alert: Record<string, unknown> }).alert;
    expect(payloadAlert).not.toHaveProperty('secret');
    expect(payloadAlert).not.toHaveProperty('state');
    const read = await world.client.getAlert(event.repository.full_name, event.alert.number);
    expect(read.secret?.reveal()).toBe('4b1dFoundInTerraform0123456789abcdefghijk');
  });

  it('a forged or unsigned delivery is refused; a replayed one carries the same delivery id', async () => {
    const { world, receiver } = await setUp();
    const alert = world.fake.addAlert('acme/infra', { secret: '4b1dX' });

    const forged = await world.fake.sendAlertWebhook(receiver.url, HOOK_SECRET, alert, {
      signWith: 'not-the-secret',
    });
    const unsigned = await world.fake.sendAlertWebhook(receiver.url, HOOK_SECRET, alert, { signWith: false });
    const first = await world.fake.sendAlertWebhook(receiver.url, HOOK_SECRET, alert);
    const replay = await world.fake.sendAlertWebhook(receiver.url, HOOK_SECRET, alert, {
      deliveryId: first.deliveryId,
    });

    expect([forged.status, unsigned.status, first.status, replay.status]).toEqual([401, 401, 200, 200]);
    expect(unsigned.headers).not.toHaveProperty('x-hub-signature-256');
    expect(receiver.received.map((delivery) => delivery.headers['x-github-delivery'])).toEqual([
      forged.deliveryId,
      unsigned.deliveryId,
      first.deliveryId,
      first.deliveryId,
    ]);
  });

  it('other actions of the same alert validate too (resolved, reopened)', async () => {
    const { world, receiver } = await setUp();
    const alert = world.fake.addAlert('acme/infra', { secret: '4b1dY', resolved: { resolution: 'revoked' } });
    for (const action of ['resolved', 'reopened'] as const) {
      expect((await world.fake.sendAlertWebhook(receiver.url, HOOK_SECRET, alert, { action })).status).toBe(
        200,
      );
    }
  });
});

checkDescriptionsAtEnd(seen);
