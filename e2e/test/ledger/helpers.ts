import type { RunningGraph } from '@loyalty/launcher';
import { graphqlRequest, tokensFor } from '@loyalty/testing';
import type { RunningService } from '@loyalty/platform';
import type { LedgerApp } from '@loyalty/ledger';

export const ENTRY =
  'id type kind points balanceAfter description sequence expiresAt createdAt holdId merchant { id }';

/** Calls to the gateway and to the ledger's internal API (service token) for one running graph. */
export function ledgerClient(graph: RunningGraph) {
  const tokens = tokensFor(graph.config);
  const ledger = graph.services.ledger as RunningService<LedgerApp>;
  const service = tokens.service('campaigns');
  let n = 0;
  const api = {
    tokens,
    ledger,
    key: (prefix = 'k') => `${prefix}-${Date.now()}-${(n += 1)}`,
    gql: (query: string, variables?: Record<string, unknown>, token?: string) =>
      graphqlRequest(graph.url, query, variables, token),
    internal: (query: string, variables?: Record<string, unknown>) =>
      graphqlRequest(ledger.url, query, variables, service),
    async member(name = 'M'): Promise<string> {
      const res = await graphqlRequest(
        graph.url,
        'mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id } }',
        {
          input: { displayName: name, email: `${name.toLowerCase()}-${Date.now()}-${(n += 1)}@example.com` },
        },
      );
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return res.data!.registerMember.id as string;
    },
    async credit(input: Record<string, unknown>) {
      return api.internal(
        `mutation($input: LedgerCreditInput!) { ledgerCredit(input: $input) { ${ENTRY} } }`,
        {
          input: { idempotencyKey: api.key('credit'), reason: 'Purchase at Tea House', ...input },
        },
      );
    },
    async hold(input: Record<string, unknown>) {
      return api.internal(
        'mutation($input: LedgerHoldInput!) { ledgerHold(input: $input) { id memberId kind points status expiresAt } }',
        { input: { idempotencyKey: api.key('hold'), reason: 'Notebook set', ...input } },
      );
    },
    async balance(memberId: string, kind = 'REGULAR'): Promise<number> {
      const res = await api.gql(
        'query($id: ID!, $kind: PointKind) { member(id: $id) { balance(kind: $kind) } }',
        { id: memberId, kind },
        tokens.admin(),
      );
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return res.data!.member.balance as number;
    },
    async history(memberId: string, first = 50) {
      const res = await api.gql(
        `query($id: ID!, $first: Int) { member(id: $id) { history(first: $first) { edges { cursor node { ${ENTRY} } } pageInfo { hasNextPage endCursor } } } }`,
        { id: memberId, first },
        tokens.admin(),
      );
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return (res.data!.member.history.edges as { node: Record<string, any> }[]).map((e) => e.node); // eslint-disable-line @typescript-eslint/no-explicit-any
    },
    async check() {
      const res = await api.gql(
        '{ ledgerCheck { ok problems accountsChecked lotsChecked } }',
        {},
        tokens.admin(),
      );
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return res.data!.ledgerCheck as { ok: boolean; problems: string[] };
    },
  };
  return api;
}
