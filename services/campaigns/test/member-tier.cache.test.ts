import {
  InProcessTransport,
  Topics,
  type EventEnvelope,
  type EventPayloads,
  type Topic,
} from '@loyalty/platform';
import { MemberTierCache } from '../src/members/member-tier.cache';
import type { MemberTierAnswer } from '../src/peers/members.client';

const MINUTE = 60_000;

/** A members service that counts how often it is asked; its answers are set by the test. */
function fakeMembers(answer: Partial<MemberTierAnswer> = {}) {
  const state = { asked: 0, answer: { id: 'm1', tier: 'SILVER', heldUntil: null, ...answer } };
  return Object.assign(state, {
    ask: async (): Promise<MemberTierAnswer | null> => {
      state.asked += 1;
      return { ...state.answer };
    },
  });
}

const envelope = <T extends Topic>(topic: T, payload: EventPayloads[T]) =>
  ({
    id: `e-${Math.random()}`,
    topic,
    key: 'm1',
    occurredAt: new Date().toISOString(),
    source: 'members',
    payload,
  }) as EventEnvelope;

describe('MemberTierCache', () => {
  let now = Date.parse('2026-06-01T00:00:00Z');
  const clock = () => now;

  it('answers a kept tier without asking members', async () => {
    const cache = new MemberTierCache(MINUTE, clock);
    const members = fakeMembers();
    expect(await cache.member('m1', members.ask)).toEqual({ id: 'm1', tier: 'SILVER' });
    expect(await cache.member('m1', members.ask)).toEqual({ id: 'm1', tier: 'SILVER' });
    expect(members.asked).toBe(1);
  });

  it('asks again once the tier can fall with time (heldUntil), before the TTL', async () => {
    const cache = new MemberTierCache(60 * MINUTE, clock);
    const members = fakeMembers({ heldUntil: new Date(now + 5 * MINUTE) });
    await cache.member('m1', members.ask);
    now += 5 * MINUTE - 1;
    await cache.member('m1', members.ask);
    expect(members.asked).toBe(1);
    now += 1;
    members.answer.tier = 'REGULAR';
    expect(await cache.member('m1', members.ask)).toEqual({ id: 'm1', tier: 'REGULAR' });
    expect(members.asked).toBe(2);
  });

  it('asks again after the TTL when the tier would hold longer', async () => {
    const cache = new MemberTierCache(MINUTE, clock);
    const members = fakeMembers({ heldUntil: new Date(now + 365 * 24 * 60 * MINUTE) });
    await cache.member('m1', members.ask);
    now += MINUTE;
    await cache.member('m1', members.ask);
    expect(members.asked).toBe(2);
  });

  it('forgets a member on member.tier_changed and member.erased, heard live', async () => {
    const transport = new InProcessTransport();
    const cache = new MemberTierCache(60 * MINUTE, clock);
    const stop = await cache.listen(transport);
    const members = fakeMembers();
    await cache.member('m1', members.ask);
    await transport.publish([
      envelope(Topics.memberTierChanged, { memberId: 'm1', tier: 'GOLD', heldUntil: null }),
    ]);
    members.answer.tier = 'GOLD';
    expect(await cache.member('m1', members.ask)).toEqual({ id: 'm1', tier: 'GOLD' });
    await transport.publish([
      envelope(Topics.memberErased, { memberId: 'm1', erasedAt: new Date().toISOString() }),
    ]);
    await cache.member('m1', members.ask);
    expect(members.asked).toBe(3);
    await stop();
    await transport.close();
  });

  it('does not keep an answer asked before a change was heard', async () => {
    const cache = new MemberTierCache(60 * MINUTE, clock);
    const members = fakeMembers();
    let release!: () => void;
    const slow = cache.member('m1', async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return members.ask();
    });
    cache.forget('m1'); // the tier changed while members was answering
    release();
    await slow;
    await cache.member('m1', members.ask);
    expect(members.asked).toBe(2);
  });

  it('keeps no unknown member', async () => {
    const cache = new MemberTierCache(60 * MINUTE, clock);
    let asked = 0;
    const ask = async () => {
      asked += 1;
      return null;
    };
    expect(await cache.member('m1', ask)).toBeNull();
    expect(await cache.member('m1', ask)).toBeNull();
    expect(asked).toBe(2);
  });
});
