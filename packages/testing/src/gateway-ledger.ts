import { randomUUID } from 'node:crypto';
import { graphqlRequest, type tokensFor } from './graphql-client';
import type { CreditContractSubject } from './credit-contract';

/** The real ledger as a whole-graph test sees it through the gateway, as an admin. */
export interface GatewayLedger {
  /** Registers a member (with no points) and returns their id. */
  register(displayName: string): Promise<string>;
  /** An operator adjustment: positive grants, negative takes (oldest lots first). */
  adjust(memberId: string, points: number, kind?: string): Promise<void>;
  /** Spendable points of one kind. */
  balance(memberId: string, kind?: string): Promise<number>;
}

/** {@link GatewayLedger} on the gateway at `url`. */
export function gatewayLedger(url: string, tokens: ReturnType<typeof tokensFor>): GatewayLedger {
  const ok = async (query: string, variables: Record<string, unknown>) => {
    const res = await graphqlRequest(url, query, variables, tokens.admin());
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data!;
  };
  return {
    async register(displayName) {
      const email = `${randomUUID()}@example.com`;
      const data = await ok('mutation($i: RegisterMemberInput!) { registerMember(input: $i) { id } }', {
        i: { displayName, email },
      });
      return data.registerMember.id as string;
    },
    async adjust(memberId, points, kind = 'REGULAR') {
      await ok('mutation($i: AdjustPointsInput!) { adjustPoints(input: $i) { id } }', {
        i: { memberId, kind, points, reason: 'Test adjustment', idempotencyKey: `adjust-${randomUUID()}` },
      });
    },
    async balance(memberId, kind = 'REGULAR') {
      const data = await ok('query($id: ID!, $k: PointKind) { member(id: $id) { balance(kind: $k) } }', {
        id: memberId,
        k: kind,
      });
      return data.member.balance as number;
    },
  };
}

/**
 * The members, spending and balances of {@link creditContract} on the real ledger behind the
 * gateway; the client under test is the caller's.
 */
export function gatewayCreditSubject(
  ledger: GatewayLedger,
  client: CreditContractSubject['client'],
): CreditContractSubject {
  return {
    client,
    member: () => ledger.register('Contract member'),
    spend: (memberId, points) => ledger.adjust(memberId, -points),
    balance: (memberId) => ledger.balance(memberId),
  };
}
