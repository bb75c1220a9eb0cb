import type { MembersApp } from '@loyalty/members';
import { testConfig } from '@loyalty/testing';
import { useGraph } from '../support/graph';
import { Collector, wsClient } from '../realtime/support/realtime';
import { clientAt, codeOf } from './support/http';

const REQUEST = `mutation($phone: String, $email: String) {
  requestSignInCode(phone: $phone, email: $email) { id expiresAt devCode }
}`;
const SIGN_IN = `mutation($id: ID!, $code: String!) {
  signIn(challengeId: $id, code: $code) { accessToken accessTokenExpiresAt refreshToken member { id phone balance } }
}`;
const REFRESH = `mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken member { id } } }`;
const SIGN_OUT = 'mutation($t: String!) { signOut(refreshToken: $t) }';

describe('member sessions through the gateway', () => {
  const { gql, graph, tokens } = useGraph(
    testConfig({ SIGN_IN_LIMIT_PER_CONTACT: '3', SIGN_IN_LIMIT_PER_CLIENT: '6', ACCESS_TOKEN_TTL: 'PT10M' }),
  );
  const members = () => graph().services.members!;
  const clock = () => (members().app as MembersApp).clock;
  afterEach(() => clock().reset());

  // Every test is its own client (its own source address), so per-client limits do not leak.
  let nextHost = 10;
  const client = () => clientAt(graph().url, `127.0.0.${(nextHost += 1)}`);

  let phones = 13_800_000_000;
  const register = async (displayName = 'Member') => {
    const phone = String((phones += 1));
    const res = await gql('mutation($i: RegisterMemberInput!) { registerMember(input: $i) { id } }', {
      i: { displayName, phone },
    });
    expect(res.errors).toBeUndefined();
    return { id: res.data!.registerMember.id as string, phone };
  };
  const rows = async (table: string) =>
    Number((await members().runtime.db.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);

  it('signs a member in with the code: a session whose token works everywhere a member token does', async () => {
    const call = client();
    const { id, phone } = await register('Li Lei');
    const before = Date.now();
    const challenge = (await call(REQUEST, { phone: `${phone.slice(0, 3)}-${phone.slice(3)}` })).data!
      .requestSignInCode;
    expect(challenge.devCode).toMatch(/^\d{6}$/);
    const ttl = new Date(challenge.expiresAt).getTime() - before;
    expect(ttl).toBeGreaterThan(4.9 * 60_000);
    expect(ttl).toBeLessThanOrEqual(5 * 60_000 + 1000);

    const res = await call(SIGN_IN, { id: challenge.id, code: challenge.devCode });
    expect(res.errors).toBeUndefined();
    // Fields of other subgraphs (the ledger's balance) resolve in the same anonymous operation.
    expect(res.data!.signIn.member).toEqual({ id, phone, balance: 0 });
    expect(res.extensions?.memberGrants).toBeUndefined();
    const session = res.data!.signIn;
    const life = new Date(session.accessTokenExpiresAt).getTime() - Date.now();
    expect(life).toBeGreaterThan(9 * 60_000);
    expect(life).toBeLessThanOrEqual(10 * 60_000 + 1000);
    const me = await call('{ me { id balance } }', {}, session.accessToken);
    expect(me.data!.me).toEqual({ id, balance: 0 });
    // The stored form of a refresh token is its hash, never the token.
    const stored = await members().runtime.db.dataSource.query('SELECT tokenHash FROM member_refresh_tokens');
    expect(stored.map((r: { tokenHash: string }) => r.tokenHash)).not.toContain(session.refreshToken);
  });

  it("a session's access token works over WebSocket (graphql-ws) as well", async () => {
    const call = client();
    const { id, phone } = await register();
    const challenge = (await call(REQUEST, { phone })).data!.requestSignInCode;
    const session = (await call(SIGN_IN, { id: challenge.id, code: challenge.devCode })).data!.signIn;
    const { client: ws } = wsClient(graph().url.replace(/^http/, 'ws'), session.accessToken);
    try {
      const changes = new Collector<{ balanceChanged: { delta: number } }>(
        ws,
        // afterSequence 0 replays what happened before the subscription was registered too.
        'subscription { balanceChanged(afterSequence: 0) { delta } }',
      );
      await gql(
        'mutation($i: AdjustPointsInput!) { adjustPoints(input: $i) { id } }',
        { i: { memberId: id, kind: 'REGULAR', points: 7, reason: 'Welcome', idempotencyKey: `ws-${id}` } },
        tokens.admin(),
      );
      const [first] = await changes.waitFor(1);
      expect(first.balanceChanged.delta).toBe(7);
      expect(changes.errors).toEqual([]);
      changes.dispose();
    } finally {
      await ws.dispose();
    }
  });

  it('refuses a wrong, used or expired code with UNAUTHENTICATED and opens no session', async () => {
    const call = client();
    const { phone } = await register();
    const sessions = await rows('member_sessions');

    const first = (await call(REQUEST, { phone })).data!.requestSignInCode;
    const wrong = first.devCode === '000000' ? '000001' : '000000';
    expect(codeOf(await call(SIGN_IN, { id: first.id, code: wrong }))).toBe('UNAUTHENTICATED');
    expect((await call(SIGN_IN, { id: first.id, code: first.devCode })).errors).toBeUndefined();
    const used = await call(SIGN_IN, { id: first.id, code: first.devCode });
    expect(codeOf(used)).toBe('UNAUTHENTICATED');
    expect(await rows('member_sessions')).toBe(sessions + 1);

    const second = (await call(REQUEST, { phone })).data!.requestSignInCode;
    clock().advance(5 * 60_000 + 1);
    expect(codeOf(await call(SIGN_IN, { id: second.id, code: second.devCode }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await call(SIGN_IN, { id: 'no-such-challenge', code: '123456' }))).toBe('UNAUTHENTICATED');
    expect(await rows('member_sessions')).toBe(sessions + 1);
  });

  it('allows five tries per challenge: after five wrong codes the right one is refused', async () => {
    const call = client();
    const { phone } = await register();
    const challenge = (await call(REQUEST, { phone })).data!.requestSignInCode;
    const wrong = challenge.devCode === '999999' ? '999998' : '999999';
    for (let i = 0; i < 5; i += 1) {
      expect(codeOf(await call(SIGN_IN, { id: challenge.id, code: wrong }))).toBe('UNAUTHENTICATED');
    }
    expect(codeOf(await call(SIGN_IN, { id: challenge.id, code: challenge.devCode }))).toBe(
      'UNAUTHENTICATED',
    );
    // Four wrong tries still leave the fifth.
    const next = (await call(REQUEST, { phone })).data!.requestSignInCode;
    for (let i = 0; i < 4; i += 1) await call(SIGN_IN, { id: next.id, code: wrong });
    expect((await call(SIGN_IN, { id: next.id, code: next.devCode })).errors).toBeUndefined();
  });

  it('answers an unknown phone or email with the same shape and no code, so nobody can probe', async () => {
    const call = client();
    const { phone } = await register();
    const known = await call(REQUEST, { phone });
    const unknown = await call(REQUEST, { phone: '13999999999' });
    const unknownEmail = await call(REQUEST, { email: 'nobody@example.com' });
    for (const res of [unknown, unknownEmail]) {
      expect(res.errors).toBeUndefined();
      expect(Object.keys(res.data!.requestSignInCode)).toEqual(Object.keys(known.data!.requestSignInCode));
      expect(res.data!.requestSignInCode).toMatchObject({ id: expect.any(String), devCode: null });
    }
    const id = unknown.data!.requestSignInCode.id;
    for (const code of ['000000', '123456']) {
      expect(codeOf(await call(SIGN_IN, { id, code }))).toBe('UNAUTHENTICATED');
    }
  });

  it('refuses bad arguments with BAD_USER_INPUT, writing nothing', async () => {
    const call = client();
    const before = await rows('sign_in_challenges');
    for (const args of [
      {},
      { phone: '13800000000', email: 'a@example.com' },
      { phone: '123' },
      { email: 'x' },
    ]) {
      expect(codeOf(await call(REQUEST, args))).toBe('BAD_USER_INPUT');
    }
    expect(await rows('sign_in_challenges')).toBe(before);
  });

  it('rate limits code requests per phone and per client with LIMIT_REACHED, known or not', async () => {
    const { phone } = await register();
    // Per phone (3 in the window here), whichever client asks.
    for (let i = 0; i < 3; i += 1) expect((await client()(REQUEST, { phone })).errors).toBeUndefined();
    expect(codeOf(await client()(REQUEST, { phone }))).toBe('LIMIT_REACHED');
    for (let i = 0; i < 3; i += 1) await client()(REQUEST, { phone: '13911112222' });
    expect(codeOf(await client()(REQUEST, { phone: '13911112222' }))).toBe('LIMIT_REACHED');

    // Per client (6 here), whatever phones it asks for; another client is unaffected.
    const busy = client();
    for (let i = 0; i < 6; i += 1) {
      expect((await busy(REQUEST, { phone: `1370000000${i}` })).errors).toBeUndefined();
    }
    const before = await rows('sign_in_challenges');
    expect(codeOf(await busy(REQUEST, { phone: '13700000009' }))).toBe('LIMIT_REACHED');
    expect(await rows('sign_in_challenges')).toBe(before);
    expect((await client()(REQUEST, { phone: '13700000009' })).errors).toBeUndefined();
  });

  it('rotates refresh tokens; a reused one revokes the whole session', async () => {
    const call = client();
    const { id, phone } = await register();
    const challenge = (await call(REQUEST, { phone })).data!.requestSignInCode;
    const first = (await call(SIGN_IN, { id: challenge.id, code: challenge.devCode })).data!.signIn;

    const second = (await call(REFRESH, { t: first.refreshToken })).data!.refreshSession;
    expect(second.member).toEqual({ id });
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect((await call('{ me { id } }', {}, second.accessToken)).data!.me).toEqual({ id });
    const third = (await call(REFRESH, { t: second.refreshToken })).data!.refreshSession;

    // The first token again: someone holds a copy. The session ends, for the current token too.
    expect(codeOf(await call(REFRESH, { t: first.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await call(REFRESH, { t: third.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await call(REFRESH, { t: 'not-a-token' }))).toBe('UNAUTHENTICATED');
  });

  it('expires refresh tokens after REFRESH_TOKEN_TTL', async () => {
    const call = client();
    const { phone } = await register();
    const challenge = (await call(REQUEST, { phone })).data!.requestSignInCode;
    const session = (await call(SIGN_IN, { id: challenge.id, code: challenge.devCode })).data!.signIn;
    clock().advance(30 * 24 * 3600_000 + 1);
    expect(codeOf(await call(REFRESH, { t: session.refreshToken }))).toBe('UNAUTHENTICATED');
  });

  it('signs out: the session ends and its refresh token is refused', async () => {
    const call = client();
    const { phone } = await register();
    const challenge = (await call(REQUEST, { phone })).data!.requestSignInCode;
    const session = (await call(SIGN_IN, { id: challenge.id, code: challenge.devCode })).data!.signIn;
    expect((await call(SIGN_OUT, { t: session.refreshToken })).data!.signOut).toBe(true);
    expect(codeOf(await call(REFRESH, { t: session.refreshToken }))).toBe('UNAUTHENTICATED');
    expect((await call(SIGN_OUT, { t: session.refreshToken })).data!.signOut).toBe(true);
    expect(codeOf(await call(SIGN_OUT, { t: 'unknown' }))).toBe('UNAUTHENTICATED');
  });

  it('lets an anonymous sign-up select fields of any subgraph; a retry is not locked out', async () => {
    const call = client();
    const input = { displayName: 'New Joiner', phone: '13655556666' };
    const res = await call(
      `mutation($i: RegisterMemberInput!) {
        registerMember(input: $i) { id phone tier referralCode balance balances { kind available } }
      }`,
      { i: input },
    );
    expect(res.errors).toBeUndefined();
    expect(res.extensions?.memberGrants).toBeUndefined();
    const member = res.data!.registerMember;
    expect(member).toMatchObject({ phone: '13655556666', tier: 'REGULAR', balance: 0 });
    expect(member.referralCode).toEqual(expect.any(String));

    // The same sign-up again (the first answer was lost): CONFLICT, and signing in finds the member.
    const again = await call('mutation($i: RegisterMemberInput!) { registerMember(input: $i) { id } }', {
      i: input,
    });
    expect(codeOf(again)).toBe('CONFLICT');
    const challenge = (await call(REQUEST, { phone: input.phone })).data!.requestSignInCode;
    const session = (await call(SIGN_IN, { id: challenge.id, code: challenge.devCode })).data!.signIn;
    expect(session.member.id).toBe(member.id);

    // The grant serves reads of the new member, never the operation's other root fields.
    const peek = await call(
      `mutation($i: RegisterMemberInput!) { registerMember(input: $i) { id } issueMemberCode { code } }`,
      { i: { displayName: 'Peeker', phone: '13655557777' } },
    );
    expect(codeOf(peek)).toBe('UNAUTHENTICATED');
  });
});
