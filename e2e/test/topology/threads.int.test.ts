import { SERVICE_NAMES, type ServiceName } from '@loyalty/platform';
import { DASHBOARD_QUERY, eventually, testConfig } from '@loyalty/testing';
import { useGraph, type GraphUnderTest } from '../support/graph';

const REGISTER = 'mutation($i: RegisterMemberInput!) { registerMember(input: $i) { id } }';
const METRICS_TOKEN = 'metrics-token-0123456789';
const PLACEMENT = {
  gatewayThread: true,
  threadServices: ['referrals' as const],
  serviceThreads: [['members' as const], ['ledger' as const]],
};

/** GraphQL requests each subgraph has answered so far, by how they came: `graphql` (HTTP) or `local`. */
async function answered(g: GraphUnderTest, route: 'graphql' | 'local'): Promise<Record<ServiceName, number>> {
  const counts = await Promise.all(
    SERVICE_NAMES.map(async (name) => {
      const res = await fetch(
        g
          .graph()
          .peers.url(name)
          .replace(/\/graphql$/, '/metrics'),
        {
          headers: { authorization: `Bearer ${METRICS_TOKEN}` },
        },
      );
      const lines = (await res.text()).split('\n');
      const mine = lines.filter(
        (l) => l.startsWith('http_requests_total{') && l.includes(`route="${route}"`),
      );
      return [name, mine.reduce((sum, l) => sum + Number(l.split(' ').pop()), 0)] as const;
    }),
  );
  return Object.fromEntries(counts) as Record<ServiceName, number>;
}

/**
 * A new member's dashboard through the gateway: every subgraph it asks (members, ledger, catalog,
 * referrals) answered it the `via` way (`local`: local links; `graphql`: HTTP), none the other.
 */
async function expectDashboardVia(g: GraphUnderTest, via: 'graphql' | 'local', email: string) {
  const before = await answered(g, via);
  const admin = g.tokens.admin();
  const registered = await g.gql(REGISTER, { i: { displayName: 'Linked', email } }, admin);
  const id = registered.data!.registerMember.id as string;
  const res = await g.gql(DASHBOARD_QUERY, { id }, g.tokens.member(id));
  expect(res.errors).toBeUndefined();
  expect(res.data!.member).toMatchObject({ id, displayName: 'Linked', referrals: [] });
  const after = await answered(g, via);
  for (const name of ['members', 'ledger', 'catalog', 'referrals'] as const)
    expect(after[name]).toBeGreaterThan(before[name]);
  const other = await answered(g, via === 'local' ? 'graphql' : 'local');
  expect(Object.values(other)).toEqual([0, 0, 0, 0, 0]);
}

describe('the graph with subgraphs in worker threads of their own', () => {
  const g = useGraph(testConfig({ METRICS_TOKEN }), undefined, undefined, PLACEMENT);

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

  it('reaches every subgraph of the process through its local link, on its thread or another', async () => {
    // The dashboard asks members and the ledger (threads of their own), catalog (the main thread)
    // and referrals (the gateway's thread, answered on it directly): none of them over HTTP.
    await expectDashboardVia(g, 'local', 'linked@example.com');
  });
});

describe('the same graph with LOCAL_LINKS=false', () => {
  const g = useGraph(testConfig({ METRICS_TOKEN }), undefined, undefined, {
    ...PLACEMENT,
    localLinks: false,
  });

  it('reaches the subgraphs over HTTP, with the same answers', async () => {
    await expectDashboardVia(g, 'graphql', 'http@example.com');
  });
});
