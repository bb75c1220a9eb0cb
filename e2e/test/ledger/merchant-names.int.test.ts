import { eventually, testConfig } from '@loyalty/testing';
import { MerchantNames } from '@loyalty/ledger';
import type { MembersApp } from '@loyalty/members';
import type { RunningService } from '@loyalty/platform';
import { useGraph } from '../support/graph';
import { ledgerClient } from './helpers';

/**
 * The ledger's copy of merchant names, from which it provides `LedgerEntry.merchant { name }`
 * (docs: gateway/README.md, "Benchmark"): kept by the members service's merchant events, filled
 * on demand for a merchant it has not heard of.
 */
describe("the ledger's copy of merchant names", () => {
  let api: ReturnType<typeof ledgerClient>;
  const { graph, tokens } = useGraph(testConfig(), (g) => {
    api = ledgerClient(g);
  });
  const members = () => graph().services.members as RunningService<MembersApp>;
  const copy = async (merchantId: string) =>
    (await api.ledger.runtime.transactor.read((m) =>
      m.query('SELECT `name`, `namedAt` FROM `ledger_merchants` WHERE `id` = ?', [merchantId]),
    )) as { name: string; namedAt: unknown }[];
  const merchant = async (name: string) => {
    const res = await api.gql(
      'mutation($i: CreateMerchantInput!) { createMerchant(input: $i) { id } }',
      { i: { name, category: 'dining' } },
      tokens.admin(),
    );
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data!.createMerchant.id as string;
  };
  /** A member with one entry at `merchantId`; the names its history shows. */
  const memberAt = async (merchantId: string) => {
    const memberId = await api.member('Namer');
    const c = await api.credit({
      memberId,
      points: 10,
      merchantId,
      sourceType: 'purchase',
      sourceId: memberId,
    });
    expect(c.errors).toBeUndefined();
    return memberId;
  };
  const names = async (memberId: string) => {
    const res = await api.gql(
      'query($id: ID!) { member(id: $id) { history(first: 10) { edges { node { merchant { id name } } } } } }',
      { id: memberId },
      tokens.admin(),
    );
    expect(res.errors).toBeUndefined();
    return (res.data!.member.history.edges as { node: { merchant: { name: string } } }[]).map(
      (e) => e.node.merchant.name,
    );
  };

  it('follows a rename, and an older event arriving late changes nothing', async () => {
    const merchantId = await merchant('Old Tea House');
    await eventually(async () => (await copy(merchantId)).length === 1);
    const memberId = await memberAt(merchantId);
    expect(await names(memberId)).toEqual(['Old Tea House']);

    const created = new Date(Date.now() - 60_000).toISOString();
    await members().app.merchants.rename(merchantId, 'New Tea House');
    await eventually(async () => (await names(memberId))[0] === 'New Tea House');
    // The creation event delivered again after the rename: the newer name stays.
    await api.ledger.runtime.transactor.run(({ manager }) =>
      MerchantNames.record(manager, { merchantId, name: 'Old Tea House', namedAt: created }),
    );
    expect(await names(memberId)).toEqual(['New Tea House']);
    expect((await copy(merchantId))[0].name).toBe('New Tea House');
  });

  it('asks the members service once for a merchant it has no copy of, and a later rename still wins', async () => {
    const merchantId = await merchant('Unheard Bakery');
    await eventually(async () => (await copy(merchantId)).length === 1);
    const memberId = await memberAt(merchantId);
    // As if the merchant had been created before the ledger listened to merchant events.
    await api.ledger.runtime.transactor.run(({ manager }) =>
      manager.query('DELETE FROM `ledger_merchants` WHERE `id` = ?', [merchantId]),
    );

    const queries = members().runtime.db.queries;
    queries.reset(true);
    expect(await names(memberId)).toEqual(['Unheard Bakery']);
    const asked = () => queries.statements.filter((s) => /FROM [`"]merchants[`"]/.test(s)).length;
    expect(asked()).toBe(1);
    expect(await copy(merchantId)).toEqual([{ name: 'Unheard Bakery', namedAt: null }]);

    queries.reset(true);
    expect(await names(memberId)).toEqual(['Unheard Bakery']);
    expect(asked()).toBe(0);

    await members().app.merchants.rename(merchantId, 'Heard Bakery');
    await eventually(async () => (await names(memberId))[0] === 'Heard Bakery');
  });

  it('answers a merchant unknown everywhere with an error on that merchant only', async () => {
    const memberId = await memberAt('no-such-merchant');
    const res = await api.gql(
      'query($id: ID!) { member(id: $id) { history(first: 10) { edges { node { id merchant { id name } } } } } }',
      { id: memberId },
      tokens.admin(),
    );
    expect(res.data!.member.history.edges).toHaveLength(1);
    expect(res.data!.member.history.edges[0].node.merchant).toBeNull();
  });
});
