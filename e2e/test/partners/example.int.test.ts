import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { useGraph } from '../support/graph';
import { newKey, newMember, newMerchant, ok } from './support';

const run = promisify(execFile);
const EXAMPLE = join(__dirname, '..', '..', '..', 'examples', 'partner-integration', 'partner.mjs');

/** The partner integration example (examples/partner-integration), run as a partner would run it. */
describe('partner integration example', () => {
  const g = useGraph();

  it('records a purchase with an API key, verifies its webhook and redeems with a member code', async () => {
    const merchantId = await newMerchant(g, 'Example Tea');
    const key = await newKey(g, merchantId);
    const memberId = await newMember(g, 'Example Member');
    const rewardId = (
      await ok(
        g,
        'mutation($i: CreateRewardInput!) { createReward(input: $i) { id } }',
        { i: { name: 'Tea cup', kind: 'GOODS', merchantId, pointsPrice: 50, stock: 5 } },
        g.tokens.admin(),
      )
    ).createReward.id as string;
    // Points for the redemption, and the code the member's app shows at the till.
    await ok(
      g,
      'mutation($i: AdjustPointsInput!) { adjustPoints(input: $i) { id } }',
      { i: { memberId, points: 100, reason: 'Welcome', idempotencyKey: `example-${memberId}` } },
      g.tokens.admin(),
    );
    const code = (await ok(g, 'mutation { issueMemberCode { code } }', {}, g.tokens.member(memberId)))
      .issueMemberCode.code as string;

    const { stdout } = await run(process.execPath, [EXAMPLE], {
      env: {
        PATH: '',
        GRAPH_URL: g.graph().url,
        API_KEY: key.secret,
        MERCHANT_ID: merchantId,
        MEMBER_ID: memberId,
        REWARD_ID: rewardId,
        MEMBER_CODE: code,
      },
      timeout: 60_000,
    });
    expect(stdout).toMatch(/purchase example-[\w-]+ recorded: \d+ points/);
    expect(stdout).toMatch(/webhook purchase\.recorded verified for order example-/);
    expect(stdout).toMatch(/redemption [\w-]+: (PENDING|CONFIRMED) \(50 points\)/);
    const { member } = await ok(
      g,
      'query($id: ID!) { member(id: $id) { redemptions { edges { node { reward { id } } } } } }',
      { id: memberId },
      g.tokens.admin(),
    );
    expect(
      member.redemptions.edges.map((e: { node: { reward: { id: string } } }) => e.node.reward.id),
    ).toEqual([rewardId]);
  });
});
