import { eventually, testConfig } from '@loyalty/testing';
import { useGraph } from '../support/graph';

const REGISTER = 'mutation($i: RegisterMemberInput!) { registerMember(input: $i) { id } }';

/**
 * Subgraphs in worker threads of their own (SERVICE_THREADS) beside the gateway's thread, on free
 * ports: a thread started before another learns where the later one's subgraphs are. Members
 * runs in the first thread and asks referrals, which starts later in the gateway's thread, about
 * a sign-up's referral code; the ledger, in a thread of its own, pays the welcome points.
 */
describe('the graph with subgraphs in worker threads of their own', () => {
  const g = useGraph(testConfig(), undefined, undefined, {
    gatewayThread: true,
    threadServices: ['referrals'],
    serviceThreads: [['members'], ['ledger']],
  });

  it('runs each subgraph where it was placed', () => {
    const graph = g.graph();
    expect({
      main: Object.keys(graph.services).sort(),
      threads: graph.serviceThreads.map((t) => ({ label: t.label, services: Object.keys(t.services) })),
      gateway: Object.keys(graph.gatewayThread?.services ?? {}),
    }).toEqual({
      main: ['campaigns', 'catalog'],
      threads: [
        { label: 'members', services: ['members'] },
        { label: 'ledger', services: ['ledger'] },
      ],
      gateway: ['referrals'],
    });
  });

  it('reaches a subgraph of a thread started later (a sign-up with a referral code)', async () => {
    const admin = g.tokens.admin();
    const inviter = await g.gql(
      REGISTER,
      { i: { displayName: 'Early Thread', email: 'early@example.com' } },
      admin,
    );
    const inviterId = inviter.data!.registerMember.id as string;
    const code = await g.gql('{ me { referralCode } }', {}, g.tokens.member(inviterId));
    expect(code.errors).toBeUndefined();
    const invitee = await g.gql(
      REGISTER,
      {
        i: {
          displayName: 'Late Thread',
          email: 'late@example.com',
          referralCode: code.data!.me.referralCode,
        },
      },
      admin,
    );
    expect(invitee.errors).toBeUndefined();
    // Referrals records the referral from the member.registered event, a moment later.
    const mine = await eventually(async () => {
      const res = await g.gql(
        '{ me { referrals { status invitee { displayName } } } }',
        {},
        g.tokens.member(inviterId),
      );
      return res.data?.me.referrals.length ? res.data.me.referrals : null;
    });
    expect(mine).toEqual([{ status: 'REGISTERED', invitee: { displayName: 'Late Thread' } }]);
  });
});
