import { useGraph } from '../support/graph';

const REGISTER = `mutation Register($input: RegisterMemberInput!) {
  registerMember(input: $input) { id displayName phone tier joinedAt }
}`;

describe('members through the gateway', () => {
  const { tokens, gql } = useGraph();

  it('lets an admin onboard a merchant that anyone can read', async () => {
    const created = await gql(
      'mutation { createMerchant(input: { name: "Tea House", category: "dining" }) { id name category } }',
      {},
      tokens.admin(),
    );
    expect(created.errors).toBeUndefined();
    const id = created.data!.createMerchant.id;
    const read = await gql('query($id: ID!) { merchant(id: $id) { id name category } }', { id });
    expect(read.data!.merchant).toEqual({ id, name: 'Tea House', category: 'dining' });
  });

  it('registers a member who can read themself, masked for partners', async () => {
    const reg = await gql(REGISTER, { input: { displayName: 'Li Lei', phone: '138-1234-5678' } });
    expect(reg.errors).toBeUndefined();
    const member = reg.data!.registerMember;
    expect(member).toMatchObject({ displayName: 'Li Lei', tier: 'REGULAR' });

    const me = await gql('{ me { id displayName phone } }', {}, tokens.member(member.id));
    expect(me.data!.me).toEqual({ id: member.id, displayName: 'Li Lei', phone: '13812345678' });

    const asPartner = await gql(
      'query($id: ID!) { member(id: $id) { phone } }',
      { id: member.id },
      tokens.partner('m1'),
    );
    expect(asPartner.data!.member.phone).toBe('138****5678');
  });

  it('refuses another member, anonymous readers and bad tokens', async () => {
    const a = (await gql(REGISTER, { input: { displayName: 'A', email: 'a@example.com' } })).data!
      .registerMember;
    const b = (await gql(REGISTER, { input: { displayName: 'B', email: 'b@example.com' } })).data!
      .registerMember;
    const other = await gql('query($id: ID!) { member(id: $id) { id } }', { id: b.id }, tokens.member(a.id));
    expect(other.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const anon = await gql('query($id: ID!) { member(id: $id) { id } }', { id: b.id });
    expect(anon.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const bad = await gql('{ me { id } }', {}, 'not-a-token');
    expect(bad.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('rejects bad contact data and duplicates, writing nothing', async () => {
    const admin = tokens.admin();
    const count = async () =>
      (await gql('{ members(first: 100) { edges { node { id } } } }', {}, admin)).data!.members.edges.length;
    const before = await count();
    const badPhone = await gql(REGISTER, { input: { displayName: 'X', phone: '12345' } });
    expect(badPhone.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const badEmail = await gql(REGISTER, { input: { displayName: 'X', email: 'nope' } });
    expect(badEmail.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const none = await gql(REGISTER, { input: { displayName: 'X' } });
    expect(none.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(await count()).toBe(before);

    await gql(REGISTER, { input: { displayName: 'Dup', phone: '13900000001' } });
    const dup = await gql(REGISTER, { input: { displayName: 'Dup 2', phone: '13900000001' } });
    expect(dup.errors?.[0].extensions?.code).toBe('CONFLICT');
    expect(await count()).toBe(before + 1);
  });
});
