import { randomUUID } from 'node:crypto';
import { Topics } from '@loyalty/platform';
import { testEvent } from '@loyalty/testing';
import { useGraph } from '../support/graph';

describe('tiers and personal data', () => {
  const { tokens, graph, gql } = useGraph();

  const register = async (input: Record<string, unknown>) =>
    (await gql('mutation($i: RegisterMemberInput!) { registerMember(input: $i) { id } }', { i: input })).data!
      .registerMember.id as string;
  const tierOf = async (id: string) =>
    (
      await gql(
        'query($id: ID!) { member(id: $id) { tier tierStatus { rollingSpend nextTier spendToNextTier } } }',
        { id },
        tokens.admin(),
      )
    ).data!.member;

  it('follows net spend over the rolling window, once per purchase', async () => {
    const id = await register({ displayName: 'Wang', phone: '13700000001' });
    expect((await tierOf(id)).tier).toBe('REGULAR');
    const purchase = testEvent(Topics.purchaseRecorded, {
      purchaseId: randomUUID(),
      merchantId: 'm1',
      memberId: id,
      orderId: 'o1',
      amount: 250_000,
      occurredAt: new Date().toISOString(),
      firstPurchase: true,
      awards: [],
    });
    await graph().transport.publish([purchase, purchase]); // redelivered: counts once
    const old = testEvent(Topics.purchaseRecorded, {
      purchaseId: randomUUID(),
      merchantId: 'm1',
      memberId: id,
      orderId: 'o0',
      amount: 5_000_000,
      occurredAt: new Date(Date.now() - 400 * 86_400_000).toISOString(),
      firstPurchase: false,
      awards: [],
    });
    await graph().transport.publish([old]); // outside the window
    expect(await tierOf(id)).toEqual({
      tier: 'SILVER',
      tierStatus: { rollingSpend: 250_000, nextTier: 'GOLD', spendToNextTier: 750_000 },
    });
    await graph().transport.publish([
      testEvent(Topics.purchaseRefunded, {
        purchaseId: purchase.payload.purchaseId,
        refundId: 'r1',
        merchantId: 'm1',
        memberId: id,
        amount: 100_000,
        refundedTotal: 100_000,
        fullyRefunded: false,
      }),
    ]);
    expect((await tierOf(id)).tier).toBe('REGULAR');
  });

  it('exports and erases personal data, keeping the pseudonymous id', async () => {
    const id = await register({
      displayName: 'Zhao',
      phone: '13700000002',
      email: 'zhao@example.com',
      marketingConsent: true,
    });
    const me = tokens.member(id);
    const exported = await gql(
      '{ personalDataExport { memberId displayName phone email consents { purpose granted } } }',
      {},
      me,
    );
    expect(exported.data!.personalDataExport).toEqual({
      memberId: id,
      displayName: 'Zhao',
      phone: '13700000002',
      email: 'zhao@example.com',
      consents: expect.arrayContaining([
        { purpose: 'programme_terms', granted: true },
        { purpose: 'marketing', granted: true },
      ]),
    });
    expect(exported.data!.personalDataExport.consents).toHaveLength(2);
    const partnerTry = await gql(
      'query($id: ID) { personalDataExport(memberId: $id) { phone } }',
      { id },
      tokens.partner('m'),
    );
    expect(partnerTry.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const otherMember = await gql(
      'mutation($id: ID) { erasePersonalData(memberId: $id, reason: "x") { id } }',
      { id },
      tokens.member('someone-else'),
    );
    expect(otherMember.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    const erased = await gql(
      'mutation { erasePersonalData(reason: "leaving the programme") { id displayName phone } }',
      {},
      me,
    );
    expect(erased.data!.erasePersonalData).toEqual({ id, displayName: 'Deleted member', phone: null });
    const after = await gql(
      'query($id: ID!) { member(id: $id) { id displayName phone } }',
      { id },
      tokens.admin(),
    );
    expect(after.data!.member).toEqual({ id, displayName: 'Deleted member', phone: null });
    // The phone number is free again for a new registration.
    await expect(register({ displayName: 'Zhao again', phone: '13700000002' })).resolves.toEqual(
      expect.any(String),
    );
  });
});
