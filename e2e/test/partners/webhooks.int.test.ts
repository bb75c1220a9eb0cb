import { Webhook } from 'standardwebhooks';
import { eventually, testConfig } from '@loyalty/testing';
import type { MembersApp } from '@loyalty/members';
import { inRequestScope } from '@loyalty/platform';
import { useGraph } from '../support/graph';
import {
  CREATE_ENDPOINT,
  newKey,
  newMember,
  newMerchant,
  ok,
  RECORD,
  startReceiver,
  type Receiver,
} from './support';

const DELIVERIES = `query($e: ID!) {
  webhookDeliveries(endpointId: $e) {
    id eventType status attempts lastStatusCode lastError nextAttemptAt deliveredAt payload
  }
}`;
const ENDPOINTS = `query($m: ID!) { webhookEndpoints(merchantId: $m) { id url events active } }`;
const REDELIVER = `mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { id status } }`;
const DELETE = `mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { id active } }`;
const REFUND = `mutation($input: RefundInput!) { refundPurchase(input: $input) { purchase { id refundedAmount } } }`;

/** Short retry and timeout settings, so that the tests see retries and timeouts quickly. */
const config = testConfig({
  WEBHOOK_RETRY_INITIAL: 'PT0.2S',
  WEBHOOK_POLL_INTERVAL: 'PT0.2S',
  WEBHOOK_TIMEOUT: 'PT4S',
  // Short enough to see a message given up within a test.
  WEBHOOK_RETRY_FOR: 'PT3S',
});

describe('webhooks through the gateway', () => {
  const receivers: Receiver[] = [];
  const g = useGraph(config, undefined, async () => {
    await Promise.all(receivers.map((r) => r.close()));
  });
  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const r = await startReceiver(...args);
    receivers.push(r);
    return r;
  };

  /** A merchant with an API key and one endpoint at `url`. */
  async function merchantWithEndpoint(url: string, events: string[], name = 'Tea House') {
    const merchantId = await newMerchant(g, name);
    const key = await newKey(g, merchantId);
    const created = (await ok(g, CREATE_ENDPOINT, { m: merchantId, url, events }, key.secret))
      .createWebhookEndpoint;
    return { merchantId, key, endpointId: created.endpoint.id as string, secret: created.secret as string };
  }

  it('retries a message that first got a 500 with the same webhook-id and a valid signature', async () => {
    const hooks = await receiver((n) => (n === 1 ? 500 : 200));
    const others = await receiver();
    const a = await merchantWithEndpoint(hooks.url, ['purchase.recorded', 'purchase.refunded']);
    const b = await merchantWithEndpoint(others.url, ['purchase.recorded'], 'Book Shop');
    expect(a.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const member = await newMember(g);

    await ok(
      g,
      RECORD,
      { input: { merchantId: a.merchantId, memberId: member, orderId: 'A-1', amount: 3000 } },
      a.key.secret,
    );
    await eventually(async () => hooks.received.length >= 2);
    const [first, second] = hooks.received;
    expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(second.body).toBe(first.body);
    const verified = new Webhook(a.secret).verify(second.body, second.headers) as Record<string, unknown>;
    expect(verified).toEqual({
      type: 'purchase.recorded',
      timestamp: expect.any(String),
      data: expect.objectContaining({
        merchantId: a.merchantId,
        orderId: 'A-1',
        memberId: member,
        points: 30,
      }),
    });
    // Signed with another secret, it does not verify.
    expect(() => new Webhook(b.secret).verify(second.body, second.headers)).toThrow();

    // The delivery log shows both attempts, once the dispatcher has recorded the answer to the
    // second (the receiver has it a moment before the row does).
    const log = await eventually(async () => {
      const rows = (await ok(g, DELIVERIES, { e: a.endpointId }, a.key.secret)).webhookDeliveries;
      return rows[0]?.status === 'DELIVERING' ? null : rows;
    });
    expect(log).toEqual([
      expect.objectContaining({
        id: first.headers['webhook-id'],
        eventType: 'purchase.recorded',
        status: 'SUCCEEDED',
        attempts: 2,
        lastStatusCode: 200,
        nextAttemptAt: null,
      }),
    ]);

    // A refund reaches the same endpoint with the order id and the points taken back.
    await ok(
      g,
      REFUND,
      { input: { merchantId: a.merchantId, orderId: 'A-1', refundId: 'R-1', amount: 1000 } },
      a.key.secret,
    );
    await eventually(async () => hooks.messages().some((m) => m.type === 'purchase.refunded'));
    expect(hooks.messages().find((m) => m.type === 'purchase.refunded')!.data).toMatchObject({
      merchantId: a.merchantId,
      orderId: 'A-1',
      memberId: member,
      points: 10,
    });

    // Merchant B's own purchase reaches B's endpoint; A's events never did.
    await ok(
      g,
      RECORD,
      { input: { merchantId: b.merchantId, memberId: member, orderId: 'B-1', amount: 500 } },
      b.key.secret,
    );
    await eventually(async () => others.received.length >= 1);
    expect(others.messages().map((m) => m.data.merchantId)).toEqual([b.merchantId]);
    expect(hooks.messages().every((m) => m.data.merchantId === a.merchantId)).toBe(true);
  });

  it('keeps failing messages in the log with their error, and redelivers them on request', async () => {
    let up = false;
    const hooks = await receiver(() => (up ? 204 : 503));
    const a = await merchantWithEndpoint(hooks.url, ['purchase.recorded']);
    const member = await newMember(g);
    await ok(
      g,
      RECORD,
      { input: { merchantId: a.merchantId, memberId: member, orderId: 'F-1', amount: 100 } },
      a.key.secret,
    );
    const failing = await eventually(async () => {
      const [d] = (await ok(g, DELIVERIES, { e: a.endpointId }, a.key.secret)).webhookDeliveries;
      return d?.attempts >= 2 && d.status === 'PENDING' && d;
    });
    expect(failing).toMatchObject({
      status: 'PENDING',
      lastStatusCode: 503,
      lastError: 'endpoint answered 503',
    });

    up = true;
    const redelivered = await ok(g, REDELIVER, { id: failing.id }, a.key.secret);
    expect(redelivered.redeliverWebhook).toEqual({ id: failing.id, status: 'PENDING' });
    await eventually(async () => {
      const [d] = (await ok(g, DELIVERIES, { e: a.endpointId }, a.key.secret)).webhookDeliveries;
      return d.status === 'SUCCEEDED' && d;
    });
    expect(new Set(hooks.received.map((r) => r.headers['webhook-id']))).toEqual(new Set([failing.id]));
  });

  it('gives a message up once the retry window has passed; it can still be redelivered', async () => {
    let up = false;
    const hooks = await receiver(() => (up ? 200 : 500));
    const a = await merchantWithEndpoint(hooks.url, ['purchase.recorded']);
    const member = await newMember(g);
    await ok(
      g,
      RECORD,
      { input: { merchantId: a.merchantId, memberId: member, orderId: 'G-1', amount: 100 } },
      a.key.secret,
    );
    const failed = await eventually(async () => {
      const [d] = (await ok(g, DELIVERIES, { e: a.endpointId }, a.key.secret)).webhookDeliveries;
      return d?.status === 'FAILED' && d;
    }, 20_000);
    expect(failed).toMatchObject({ lastStatusCode: 500, nextAttemptAt: null, deliveredAt: null });
    expect(failed.attempts).toBeGreaterThanOrEqual(3);
    expect(hooks.received).toHaveLength(failed.attempts);
    up = true;
    await ok(g, REDELIVER, { id: failed.id }, a.key.secret);
    await eventually(async () => hooks.received.length === failed.attempts + 1);
    expect(new Set(hooks.received.map((r) => r.headers['webhook-id']))).toEqual(new Set([failed.id]));
  });

  it("tells a merchant its redemptions' status changes", async () => {
    const hooks = await receiver();
    const a = await merchantWithEndpoint(hooks.url, ['redemption.status_changed']);
    const member = await newMember(g);
    await ok(
      g,
      RECORD,
      { input: { merchantId: a.merchantId, memberId: member, orderId: 'P-1', amount: 2000 } },
      a.key.secret,
    );
    const reward = (
      await ok(
        g,
        'mutation($input: CreateRewardInput!) { createReward(input: $input) { id } }',
        { input: { name: 'Tea', kind: 'COUPON', merchantId: a.merchantId, pointsPrice: 5 } },
        a.key.secret,
      )
    ).createReward.id;
    await eventually(
      async () => (await ok(g, '{ me { balance } }', {}, g.tokens.member(member))).me.balance >= 5,
    );
    const redemption = (
      await ok(
        g,
        'mutation($input: RedeemInput!) { redeemReward(input: $input) { id status } }',
        { input: { rewardId: reward, idempotencyKey: 'r-1' } },
        g.tokens.member(member),
      )
    ).redeemReward;
    await eventually(async () => hooks.messages().some((m) => m.data.to === redemption.status));
    expect(hooks.messages().every((m) => m.type === 'redemption.status_changed')).toBe(true);
    expect(hooks.messages().at(-1)!.data).toMatchObject({
      merchantId: a.merchantId,
      redemptionId: redemption.id,
      memberId: member,
      points: 5,
    });
  });

  it("does not let a hanging endpoint delay another merchant's deliveries", async () => {
    const hanging = await receiver(() => 'hang');
    const fast = await receiver();
    const slow = await merchantWithEndpoint(hanging.url, ['purchase.recorded'], 'Slow Shop');
    const quick = await merchantWithEndpoint(fast.url, ['purchase.recorded'], 'Quick Shop');
    const member = await newMember(g);
    for (const orderId of ['S-1', 'S-2', 'S-3'])
      await ok(
        g,
        RECORD,
        { input: { merchantId: slow.merchantId, memberId: member, orderId, amount: 100 } },
        slow.key.secret,
      );
    // The slow endpoint holds a request open…
    await eventually(async () => hanging.received.length >= 1);
    await ok(
      g,
      RECORD,
      { input: { merchantId: quick.merchantId, memberId: member, orderId: 'Q-1', amount: 100 } },
      quick.key.secret,
    );
    // …while the other merchant's message arrives.
    await eventually(async () => fast.received.length >= 1);
    expect(hanging.received[0].done).toBe(false);
    // One attempt at a time per endpoint: the other two wait behind the hanging one.
    expect(hanging.received).toHaveLength(1);
    // The timeout ends the hanging attempt, which is logged and retried.
    const timedOut = await eventually(async () => {
      const log = (await ok(g, DELIVERIES, { e: slow.endpointId }, slow.key.secret)).webhookDeliveries;
      return log.find((d: { lastError: string | null }) =>
        d.lastError?.startsWith('no answer within 4000 ms'),
      );
    });
    expect(timedOut.attempts).toBeGreaterThanOrEqual(1);
    expect(hanging.received[0].done).toBe(true);
  });

  it("refuses bad URLs, unknown events and another merchant's endpoints, writing nothing", async () => {
    const hooks = await receiver();
    const a = await merchantWithEndpoint(hooks.url, ['purchase.recorded'], 'A');
    const b = await merchantWithEndpoint(hooks.url, ['purchase.recorded'], 'B');
    const admin = g.tokens.admin();
    const endpointsOf = async (m: string) => (await ok(g, ENDPOINTS, { m }, admin)).webhookEndpoints;
    const before = { a: await endpointsOf(a.merchantId), b: await endpointsOf(b.merchantId) };
    const create = (m: string, url: string, events: string[], token = a.key.secret) =>
      g.gql(CREATE_ENDPOINT, { m, url, events }, token);
    const codeOf = async (p: Promise<{ errors?: { extensions?: { code?: string } }[] }>) =>
      (await p).errors?.[0]?.extensions?.code;

    expect(await codeOf(create(a.merchantId, 'ftp://example.com/hooks', ['purchase.recorded']))).toBe(
      'BAD_USER_INPUT',
    );
    expect(await codeOf(create(a.merchantId, 'javascript:alert(1)', ['purchase.recorded']))).toBe(
      'BAD_USER_INPUT',
    );
    expect(await codeOf(create(a.merchantId, 'not a url', ['purchase.recorded']))).toBe('BAD_USER_INPUT');
    expect(await codeOf(create(a.merchantId, hooks.url, ['purchase.exploded']))).toBe('BAD_USER_INPUT');
    expect(await codeOf(create(a.merchantId, hooks.url, []))).toBe('BAD_USER_INPUT');
    expect(await codeOf(create(b.merchantId, hooks.url, ['purchase.recorded']))).toBe('FORBIDDEN');
    expect(await codeOf(create(a.merchantId, hooks.url, ['purchase.recorded'], g.tokens.member('x')))).toBe(
      'FORBIDDEN',
    );
    expect(await codeOf(g.gql(DELETE, { id: b.endpointId }, a.key.secret))).toBe('FORBIDDEN');
    expect(await codeOf(g.gql(ENDPOINTS, { m: b.merchantId }, a.key.secret))).toBe('FORBIDDEN');
    expect(await codeOf(g.gql(DELIVERIES, { e: b.endpointId }, a.key.secret))).toBe('FORBIDDEN');
    expect(await codeOf(g.gql(DELETE, { id: 'missing' }, a.key.secret))).toBe('NOT_FOUND');
    expect(await codeOf(g.gql(ENDPOINTS, { m: a.merchantId }))).toBe('UNAUTHENTICATED');

    expect({ a: await endpointsOf(a.merchantId), b: await endpointsOf(b.merchantId) }).toEqual(before);

    // Deleting its own endpoint works, once.
    expect((await ok(g, DELETE, { id: a.endpointId }, a.key.secret)).deleteWebhookEndpoint).toEqual({
      id: a.endpointId,
      active: false,
    });
    expect(await endpointsOf(a.merchantId)).toEqual([]);
    expect(await codeOf(g.gql(DELETE, { id: a.endpointId }, a.key.secret))).toBe('NOT_FOUND');
  });
  it('queues nothing, not even an inbox row, for the events of a merchant without a matching endpoint', async () => {
    const inbox = () =>
      g
        .graph()
        .services.members!.runtime.db.dataSource.query(
          "SELECT COUNT(*) AS n FROM inbox_events WHERE consumer = 'members.webhooks'",
        )
        .then((rows: { n: number | string }[]) => Number(rows[0].n));
    const hooks = await receiver();
    const quiet = await newMerchant(g, 'Quiet Shop');
    const quietKey = await newKey(g, quiet);
    // Subscribed to refunds only: its purchases are not wanted either.
    const refundsOnly = await merchantWithEndpoint(hooks.url, ['purchase.refunded'], 'Refund Desk');
    const loud = await merchantWithEndpoint(hooks.url, ['purchase.recorded'], 'Loud Shop');
    const member = await newMember(g);
    const before = await inbox();
    const record = (merchantId: string, orderId: string, secret: string) =>
      ok(g, RECORD, { input: { merchantId, memberId: member, orderId, amount: 1000 } }, secret);
    await record(quiet, 'Q-1', quietKey.secret);
    await record(refundsOnly.merchantId, 'R-1', refundsOnly.key.secret);
    // Handled after the two above (one consumer takes its events in order).
    await record(loud.merchantId, 'L-1', loud.key.secret);
    await eventually(async () => hooks.received.length >= 1);
    expect(hooks.received.map((r) => JSON.parse(r.body).data.orderId)).toEqual(['L-1']);
    expect((await inbox()) - before).toBe(1);

    // A delivery of several events (a relay's drain) is sorted out by one read of the endpoints.
    const members = g.graph().services.members!;
    const event = (topic: string, merchantId: string | undefined, n: number) =>
      ({
        id: `wanted-${n}`,
        topic,
        key: `k${n}`,
        payload: { merchantId, memberId: member },
        occurredAt: new Date().toISOString(),
        source: 'campaigns',
      }) as never;
    members.runtime.db.queries.reset(true);
    // Counted as a request's statements: the service's background loops are not.
    const verdicts = await inRequestScope(() =>
      (members.app as MembersApp).webhooks.wanted([
        event('purchase.recorded', quiet, 1),
        event('purchase.recorded', refundsOnly.merchantId, 2),
        event('purchase.refunded', refundsOnly.merchantId, 3),
        event('purchase.recorded', loud.merchantId, 4),
        event('purchase.recorded', undefined, 5),
      ]),
    );
    expect(verdicts).toEqual([false, false, true, true, false]);
    expect(members.runtime.db.queries.statements).toEqual([expect.stringMatching(/webhook_endpoints/)]);
  });
});
