import type { RunningService } from '@loyalty/platform';
import { eventually, graphqlRequest, testEvent } from '@loyalty/testing';
import { useGraph } from '../support/graph';
import {
  Collector,
  settledSubscriptions,
  subscriptionsAtLeast,
  wsClient,
  type WithRealtime,
} from './support/realtime';

/**
 * Live payloads resolved in bulk, counted at the gateway's subgraph clients: a batch of
 * `balance.changed` events costs one `_entities` fetch per entity type and subgraph, whatever the
 * number of events; entity fields are cached until an event changes them.
 */
describe('bulk live payloads', () => {
  const clients: { dispose(): Promise<void> | void }[] = [];
  const { tokens, graph } = useGraph(undefined, undefined, async () => {
    for (const c of clients) await c.dispose();
  });
  let n = 0;
  const gql = async (query: string, variables: Record<string, unknown> = {}, token = tokens.admin()) => {
    const res = await graphqlRequest(graph().url, query, variables, token);
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data!;
  };
  const rt = () => graph() as unknown as WithRealtime;
  const stats = () => graph().gateway!.realtime.stats();
  const sent = () => {
    const s = graph().gateway!.subgraphStats();
    return { members: s.members?.sent ?? 0, ledger: s.ledger?.sent ?? 0 };
  };

  interface Entry {
    id: string;
    sequence: number;
    type: string;
    kind: string;
    points: number;
    balanceAfter: number;
    createdAt: string;
  }
  const SELECTION = `subscription { balanceChanged { sequence delta member { displayName tier }
    entry { id type points description merchant { name } } } }`;
  type Payload = {
    balanceChanged: {
      sequence: number;
      delta: number;
      member: { displayName: string; tier: string };
      entry: {
        id: string;
        type: string;
        points: number;
        description: string;
        merchant: { name: string } | null;
      };
    };
  };
  /** The event the ledger's relay publishes for an entry (republished here to control batching). */
  const eventOf = (memberId: string, e: Entry) =>
    testEvent(
      'balance.changed',
      {
        memberId,
        kind: e.kind,
        delta: e.points,
        balance: e.balanceAfter,
        entryId: e.id,
        entryType: e.type,
        sequence: e.sequence,
        createdAt: e.createdAt,
      },
      { source: 'ledger' },
    );

  it('resolves a batch with one _entities fetch per type, then from the cache until an event invalidates it', async () => {
    const merchant = (
      await gql('mutation { createMerchant(input: { name: "Bulk Bakery", category: "dining" }) { id } }')
    ).createMerchant.id as string;
    const members: string[] = [];
    for (let i = 0; i < 5; i++) {
      members.push(
        (
          await gql('mutation($i: RegisterMemberInput!) { registerMember(input: $i) { id } }', {
            i: { displayName: `Bulk ${i}`, email: `bulk-${Date.now()}-${(n += 1)}@example.com` },
          })
        ).registerMember.id as string,
      );
    }
    // Four entries per member, credited before anyone subscribes; their own events pass unseen.
    const received = stats().eventsReceived;
    const ledger = graph().services.ledger as RunningService<unknown>;
    for (const memberId of members) {
      for (let k = 0; k < 4; k++) {
        const res = await graphqlRequest(
          ledger.url,
          'mutation($input: LedgerCreditInput!) { ledgerCredit(input: $input) { sequence } }',
          {
            input: {
              idempotencyKey: `bulk-${memberId}-${k}`,
              memberId,
              points: 10 + k,
              reason: 'Purchase at Bulk Bakery',
              merchantId: merchant,
            },
          },
          tokens.service('campaigns'),
        );
        expect(res.errors).toBeUndefined();
      }
    }
    await eventually(async () => stats().eventsReceived >= received + 20);
    const entries = new Map<string, Entry[]>();
    for (const memberId of members) {
      const data = await gql(
        'query($id: ID!) { member(id: $id) { history(first: 10) { edges { node { id sequence type kind points balanceAfter createdAt } } } } }',
        { id: memberId },
      );
      const list = (data.member.history.edges as { node: Entry }[]).map((e) => e.node);
      entries.set(
        memberId,
        list.sort((a, b) => a.sequence - b.sequence),
      );
    }

    const base = await settledSubscriptions(rt());
    const subs = members.map((memberId) => {
      const c = wsClient(graph().url.replace(/^http/, 'ws'), tokens.member(memberId));
      clients.push(c.client);
      return new Collector<Payload>(c.client, SELECTION);
    });
    await subscriptionsAtLeast(rt(), base + members.length);

    // Batch 1: two entries of each member, ten events in one publish.
    let before = { ...stats(), ...sent() };
    await graph().transport.publish(
      members.flatMap((m) =>
        entries
          .get(m)!
          .slice(0, 2)
          .map((e) => eventOf(m, e)),
      ),
    );
    await Promise.all(subs.map((s) => s.waitFor(2)));
    let after = { ...stats(), ...sent() };
    expect(after.payloadBatches! - before.payloadBatches!).toBe(1);
    // Member (members), LedgerEntry (ledger), then the entries' Merchant (members): one fetch each.
    expect(after.entityFetches! - before.entityFetches!).toBe(3);
    expect(after.members - before.members).toBe(2);
    expect(after.ledger - before.ledger).toBe(1);
    subs.forEach((s, i) => {
      expect(s.errors).toEqual([]);
      const [first] = entries.get(members[i])!;
      expect(s.items[0].balanceChanged).toEqual({
        sequence: first.sequence,
        delta: first.points,
        member: { displayName: `Bulk ${i}`, tier: 'REGULAR' },
        entry: {
          id: first.id,
          type: 'EARN',
          points: first.points,
          description: 'Purchase at Bulk Bakery',
          merchant: { name: 'Bulk Bakery' },
        },
      });
    });

    // Batch 2: members and the merchant are cached (balance events change only the ledger's
    // member fields): only the new entries are fetched.
    before = { ...stats(), ...sent() };
    await graph().transport.publish(members.map((m) => eventOf(m, entries.get(m)![2])));
    await Promise.all(subs.map((s) => s.waitFor(3)));
    after = { ...stats(), ...sent() };
    expect(after.entityFetches! - before.entityFetches!).toBe(1);
    expect(after.members - before.members).toBe(0);
    expect(after.ledger - before.ledger).toBe(1);
    expect(subs.map((s) => s.items[2].balanceChanged.member.displayName)).toEqual(
      members.map((_, i) => `Bulk ${i}`),
    );

    // Erasure (member.erased) drops the cached member: the next payload shows the erased name.
    const invalidations = stats().entityCache!.invalidations;
    await gql('mutation($m: ID) { erasePersonalData(memberId: $m, reason: "request") { id } }', {
      m: members[0],
    });
    await eventually(async () => stats().entityCache!.invalidations > invalidations);
    const erasedName = (await gql('query($id: ID!) { member(id: $id) { displayName } }', { id: members[0] }))
      .member.displayName as string;
    expect(erasedName).not.toBe('Bulk 0');
    before = { ...stats(), ...sent() };
    await graph().transport.publish([eventOf(members[0], entries.get(members[0])![3])]);
    await subs[0].waitFor(4);
    after = { ...stats(), ...sent() };
    expect(subs[0].items[3].balanceChanged.member.displayName).toBe(erasedName);
    expect(after.members - before.members).toBe(1);
    expect(stats().entityCache!.size).toBeLessThanOrEqual(50_000);
    subs.forEach((s) => s.dispose());
  });
});
