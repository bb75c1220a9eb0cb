import { randomUUID } from 'node:crypto';
import type { RunningGraph } from '@loyalty/launcher';
import { InboxEventRow, type EventEnvelope, type RunningService } from '@loyalty/platform';
import { eventually, tokensFor, type GraphQLResult } from '@loyalty/testing';

/** The members service's consumer group that turns events into notices. */
export const NOTICES_GROUP = 'members.notices';

export const NOTICE_FIELDS = 'id kind title body createdAt readAt';

/** Whole-graph helpers for the notice tests. */
export function noticeHelpers(graph: () => RunningGraph) {
  const tokens = () => tokensFor(graph().config);
  let n = 0;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read answers by path
  const request = async <T = Record<string, any>>(
    query: string,
    variables: Record<string, unknown> = {},
    token?: string,
    language?: string,
  ): Promise<GraphQLResult<T>> => {
    const response = await fetch(graph().url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(language ? { 'accept-language': language } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLResult<T>;
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const ok = async (query: string, variables: Record<string, unknown> = {}, token?: string): Promise<any> => {
    const res = await request(query, variables, token);
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data!;
  };
  const h = {
    tokens,
    request,
    ok,
    next: () => (n += 1),
    async register(displayName: string, referralCode?: string): Promise<string> {
      const data = await ok('mutation($i: RegisterMemberInput!) { registerMember(input: $i) { id } }', {
        i: { displayName, email: `notices-${Date.now()}-${h.next()}@example.com`, referralCode },
      });
      return data.registerMember.id as string;
    },
    async merchant(name: string): Promise<string> {
      const data = await ok(
        'mutation($i: CreateMerchantInput!) { createMerchant(input: $i) { id } }',
        { i: { name, category: 'dining' } },
        tokens().admin(),
      );
      return data.createMerchant.id as string;
    },
    purchase(merchantId: string, memberId: string, amount: number) {
      return ok(
        'mutation($i: PurchaseInput!) { recordPurchase(input: $i) { awards { points } } }',
        { i: { merchantId, memberId, orderId: `o-${h.next()}`, amount } },
        tokens().partner(merchantId),
      );
    },
    async reward(
      merchantId: string,
      pointsPrice: number,
      extra: Record<string, unknown> = {},
    ): Promise<string> {
      const data = await ok(
        'mutation($i: CreateRewardInput!) { createReward(input: $i) { id } }',
        { i: { name: 'Set meal', kind: 'GOODS', pointsPrice, merchantId, ...extra } },
        tokens().partner(merchantId),
      );
      return data.createReward.id as string;
    },
    /** The member's notices as they read them (newest first). */
    async notices(
      memberId: string,
      language?: string,
      args = '',
    ): Promise<
      { id: string; kind: string; title: string; body: string; createdAt: string; readAt: string | null }[]
    > {
      const res = await request(
        `{ me { notices${args} { edges { node { ${NOTICE_FIELDS} } } } } }`,
        {},
        tokens().member(memberId),
        language,
      );
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return res.data!.me.notices.edges.map((e: { node: unknown }) => e.node);
    },
    /** Waits until the member has a notice of `kind` (and returns all of that kind). */
    async noticesOf(memberId: string, kind: string, count = 1, language?: string) {
      return eventually(async () => {
        const list = (await h.notices(memberId, language)).filter((x) => x.kind === kind);
        return list.length >= count ? list : null;
      });
    },
    /**
     * Delivers an event again twice — the same envelope (a redelivery) and the same payload under
     * a new event id (the cause published twice) — and waits until the notices consumer has
     * processed both, so that what follows sees their effect, if any.
     */
    async deliverTwice(event: EventEnvelope): Promise<void> {
      const copy = { ...event, id: randomUUID() } as EventEnvelope;
      await graph().transport.publish([event]);
      await graph().transport.publish([copy]);
      const members = graph().services.members as RunningService<unknown>;
      await eventually(() =>
        members.runtime.transactor.read((m) =>
          m.existsBy(InboxEventRow, { consumer: NOTICES_GROUP, eventId: copy.id }),
        ),
      );
    },
  };
  return h;
}
