// A partner merchant's integration with the loyalty graph, end to end, with nothing but Node and
// the Standard Webhooks library. Run it against a started platform (`pnpm start`):
//
//   GRAPH_URL=http://localhost:4000/graphql API_KEY=lpk_… MERCHANT_ID=… MEMBER_ID=… \
//   REWARD_ID=… MEMBER_CODE=… node examples/partner-integration/partner.mjs
//
// 1. registers a webhook endpoint (a server this script runs) for its own merchant,
// 2. records a purchase with its API key,
// 3. receives the `purchase.recorded` webhook and verifies its signature,
// 4. redeems a reward for the member with the one-time code the member's app showed.
/* eslint-disable no-restricted-properties -- an example reads its settings from the environment */
/* global console, process, fetch, setTimeout, Buffer */
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

const {
  GRAPH_URL = 'http://localhost:4000/graphql',
  API_KEY,
  MERCHANT_ID: merchant,
  MEMBER_ID,
  REWARD_ID,
  MEMBER_CODE,
} = process.env;
if (!API_KEY || !merchant || !MEMBER_ID) {
  console.error('Set API_KEY, MERCHANT_ID and MEMBER_ID (and REWARD_ID with MEMBER_CODE to redeem).');
  process.exit(2);
}

/** One GraphQL call with the API key; a refusal throws with its `extensions.code`. */
async function graph(query, variables = {}) {
  const res = await fetch(GRAPH_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors?.length) {
    const [e] = body.errors;
    throw new Error(`${e.extensions?.code ?? 'ERROR'}: ${e.message}`);
  }
  return body.data;
}

/** A webhook receiver: verifies each message before trusting it, answers 2xx only then. */
function receiveWebhooks() {
  let verify = null;
  const received = [];
  const waiting = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      try {
        // Throws on a wrong signature or a timestamp too far from now (replays).
        const message = verify.verify(body, req.headers);
        res.writeHead(204).end();
        received.push(message);
        for (const w of waiting.splice(0)) w();
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  return {
    server,
    useSecret: (secret) => (verify = new Webhook(secret)),
    /** The first verified message of this type. */
    async next(type, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = received.find((m) => m.type === type);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no ${type} webhook within ${timeoutMs} ms`);
        await new Promise((resolve) => {
          waiting.push(resolve);
          setTimeout(resolve, 500).unref();
        });
      }
    },
  };
}

const hooks = receiveWebhooks();
await new Promise((resolve) => hooks.server.listen(0, '127.0.0.1', resolve));
const hookUrl = `http://127.0.0.1:${hooks.server.address().port}/loyalty-webhooks`;
try {
  const { createWebhookEndpoint } = await graph(
    'mutation($m: ID!, $u: String!) { createWebhookEndpoint(merchantId: $m, url: $u, events: ["purchase.recorded"]) { endpoint { id } secret } }',
    { m: merchant, u: hookUrl },
  );
  hooks.useSecret(createWebhookEndpoint.secret);
  console.log(`webhook endpoint ${createWebhookEndpoint.endpoint.id} at ${hookUrl}`);

  const orderId = `example-${randomUUID()}`;
  const { recordPurchase } = await graph(
    'mutation($i: PurchaseInput!) { recordPurchase(input: $i) { purchase { id } awards { kind points reason } } }',
    { i: { merchantId: merchant, memberId: MEMBER_ID, orderId, amount: 12_800 } },
  );
  const points = recordPurchase.awards.reduce((sum, a) => sum + a.points, 0);
  console.log(`purchase ${orderId} recorded: ${points} points`);

  const message = await hooks.next('purchase.recorded');
  if (message.data.orderId !== orderId) throw new Error('the webhook names another order');
  console.log(`webhook purchase.recorded verified for order ${message.data.orderId}`);

  if (REWARD_ID && MEMBER_CODE) {
    const { redeemReward } = await graph(
      'mutation($i: RedeemInput!) { redeemReward(input: $i) { id status points } }',
      {
        i: {
          rewardId: REWARD_ID,
          memberId: MEMBER_ID,
          memberCode: MEMBER_CODE,
          idempotencyKey: randomUUID(),
        },
      },
    );
    console.log(`redemption ${redeemReward.id}: ${redeemReward.status} (${redeemReward.points} points)`);
  }
} finally {
  hooks.server.close();
}
