import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { WebhookSender } from '../src/webhooks/webhook.sender';

const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;

describe('webhook sender', () => {
  let server: Server;
  let url: string;
  const got: { headers: Record<string, string>; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        got.push({ headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString() });
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('posts a Standard Webhooks message that verifies with the secret', async () => {
    const body = JSON.stringify({ type: 'purchase.recorded', timestamp: new Date().toISOString(), data: {} });
    const outcome = await new WebhookSender(2000, false).send({ id: 'msg_1', body, url, secret });
    expect(outcome).toEqual({ ok: true, status: 204, error: null });
    const [received] = got;
    expect(received.headers['webhook-id']).toBe('msg_1');
    expect(received.headers['webhook-signature']).toMatch(/^v1,/);
    expect(new Webhook(secret).verify(received.body, received.headers)).toEqual(JSON.parse(body));
  });

  it('in production refuses, at delivery time, internal addresses and names that resolve to them', async () => {
    const before = got.length;
    const sender = new WebhookSender(2000, true);
    const send = (to: string) => sender.send({ id: 'msg_2', body: '{}', url: to, secret });
    expect(await send(url)).toMatchObject({ ok: false, error: 'only https URLs are delivered to' });
    const port = (server.address() as AddressInfo).port;
    expect(await send(`https://127.0.0.1:${port}/`)).toMatchObject({
      ok: false,
      error: '127.0.0.1 is not a public address',
    });
    // A name is resolved when the socket connects, and the address it connects to is the one checked.
    expect((await send(`https://localhost:${port}/`)).error).toMatch(
      /localhost resolves to a non-public address/,
    );
    expect(got.length).toBe(before);
  });
});
