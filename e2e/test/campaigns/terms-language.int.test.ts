import { testConfig } from '@loyalty/testing';
import { useGraph } from '../support/graph';

/**
 * Programme and campaign terms (R5) as a member reads them: in zh-CN or en by Accept-Language
 * (en by default), naming the merchant rather than its id, times in the programme's time zone.
 */
describe('terms in the reader’s language', () => {
  const { tokens, gql, graph } = useGraph(testConfig());

  const read = async (query: string, language?: string) => {
    const response = await fetch(graph().url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(language ? { 'accept-language': language } : {}) },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as { data?: Record<string, any>; errors?: unknown }; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(body.errors).toBeUndefined();
    return body.data!;
  };

  it('words programme rules, campaigns and upcoming changes in en or zh-CN', async () => {
    const shop = await gql(
      'mutation { createMerchant(input: { name: "红米好物", category: "grocery" }) { id } }',
      {},
      tokens.admin(),
    );
    const merchantId = shop.data!.createMerchant.id as string;
    const created = await gql(
      'mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }',
      {
        i: {
          name: 'Anniversary',
          startsAt: '2026-01-01T00:00:00.000Z',
          endsAt: '2099-01-01T00:00:00.000Z',
          merchantId,
          multiplier: 2,
        },
      },
      tokens.admin(),
    );
    expect(created.errors).toBeUndefined();
    const change = await gql(
      'mutation { scheduleValidityChange(input: { validity: "P2Y", effectiveAt: "2098-06-30T16:00:00.000Z", reason: "Longer validity" }) { validity } }',
      {},
      tokens.admin(),
    );
    expect(change.errors).toBeUndefined();
    const query = '{ programTerms { rules } campaigns { name terms } }';

    const en = await read(query);
    const enCampaign = en.campaigns.find((c: { name: string }) => c.name === 'Anniversary');
    expect(enCampaign.terms).toContain(
      'Purchases at 红米好物 from 1 January 2026 at 08:00 (Asia/Shanghai) until 1 January 2099 at 08:00 (Asia/Shanghai) earn ×2 the REGULAR base points',
    );
    expect(enCampaign.terms).not.toContain(merchantId);
    expect(en.programTerms.rules[0]).toMatch(/^Earning: every purchase/);
    expect(en.programTerms.rules).toContain(
      'From 1 July 2098 at 00:00 (Asia/Shanghai), newly earned points are valid for P2Y (Longer validity).',
    );

    const zh = await read(query, 'zh-CN,zh;q=0.9');
    const zhCampaign = zh.campaigns.find((c: { name: string }) => c.name === 'Anniversary');
    expect(zhCampaign.terms).toContain(
      '2026年1月1日 08:00 (Asia/Shanghai)至2099年1月1日 08:00 (Asia/Shanghai)期间在红米好物消费可获得：基础普通积分×2（向下取整）。',
    );
    expect(zh.programTerms.rules[0]).toMatch(/^积分获取：/);
    expect(zh.programTerms.rules).toContain(
      '自2098年7月1日 00:00 (Asia/Shanghai)起，新获得的积分有效期为P2Y（Longer validity）。',
    );
    expect(zh.programTerms.rules.some((r: string) => r.startsWith('Anniversary：'))).toBe(true);
    // A language the programme does not speak gets English.
    expect((await read(query, 'fr')).programTerms.rules[0]).toBe(en.programTerms.rules[0]);
  });
});
