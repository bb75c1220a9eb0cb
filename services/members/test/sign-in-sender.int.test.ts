import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually, graphqlRequest, testConfig } from '@loyalty/testing';
import { loadConfig, type RunningService } from '@loyalty/platform';
import { start, type MembersApp } from '../src';
import { HttpCodeSender } from '../src/sign-in/code-sender';

/** A real HTTP receiver standing in for an SMS/email provider. */
async function provider(status = 200) {
  const received: { headers: IncomingHttpHeaders; body: Record<string, string> }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString()) });
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('HttpCodeSender', () => {
  it('POSTs the code as JSON with the bearer token, and fails on a non-2xx answer', async () => {
    const ok = await provider();
    const down = await provider(503);
    try {
      const expiresAt = new Date('2030-01-01T00:05:00Z');
      await new HttpCodeSender(ok.url, 'provider-token').send({
        channel: 'phone',
        to: '13812345678',
        code: '123456',
        expiresAt,
      });
      expect(ok.received).toHaveLength(1);
      expect(ok.received[0].headers.authorization).toBe('Bearer provider-token');
      expect(ok.received[0].body).toMatchObject({
        channel: 'phone',
        to: '13812345678',
        code: '123456',
        expiresAt: expiresAt.toISOString(),
      });
      await expect(
        new HttpCodeSender(down.url, null).send({
          channel: 'email',
          to: 'a@example.com',
          code: '1',
          expiresAt,
        }),
      ).rejects.toThrow(/503/);
    } finally {
      await ok.close();
      await down.close();
    }
  });
});

describe('sign-in in production with an HTTP provider', () => {
  let receiver: Awaited<ReturnType<typeof provider>>;
  let members: RunningService<MembersApp>;
  // The receiver's port is known only once it listens; the throwaway databases are made now.
  const base = testConfig({ NODE_ENV: 'production', SIGN_IN_CODE_SECRET: 'production-sign-in-code-secret' });
  beforeAll(async () => {
    receiver = await provider();
    const config = loadConfig(
      { ...base.source, SIGN_IN_SENDER: 'http', SIGN_IN_SENDER_URL: receiver.url },
      {},
    );
    members = await start({ config, port: 0 });
  });
  afterAll(async () => {
    await members.stop();
    await receiver.close();
  });

  it('delivers the code through the provider and never answers it as devCode', async () => {
    const reg = await graphqlRequest(
      members.url,
      'mutation { registerMember(input: { displayName: "Prod", email: "prod@example.com" }) { id } }',
    );
    const id = reg.data!.registerMember.id;
    const asked = await graphqlRequest(
      members.url,
      'mutation { requestSignInCode(email: "Prod@Example.com") { id devCode } }',
    );
    expect(asked.data!.requestSignInCode.devCode).toBeNull();
    const [message] = await eventually(async () => receiver.received.length > 0 && receiver.received);
    expect(message.body).toMatchObject({ channel: 'email', to: 'prod@example.com' });
    const session = await graphqlRequest(
      members.url,
      'mutation($c: ID!, $code: String!) { signIn(challengeId: $c, code: $code) { member { id } } }',
      { c: asked.data!.requestSignInCode.id, code: message.body.code },
    );
    expect(session.data!.signIn.member.id).toBe(id);

    // An unknown address: the same answer, and nothing is sent.
    const unknown = await graphqlRequest(
      members.url,
      'mutation { requestSignInCode(email: "nobody@example.com") { id devCode } }',
    );
    expect(unknown.data!.requestSignInCode.devCode).toBeNull();
    await members.app.signIn.drain();
    expect(receiver.received).toHaveLength(1);
  });
});
