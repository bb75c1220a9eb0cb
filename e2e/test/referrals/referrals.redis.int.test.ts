import { eventually, onRedis, testConfig } from '@loyalty/testing';
import { ReferralHarness } from './support/harness';

// With separate processes the events travel through Redis Streams (durable consumer groups) and
// pub/sub (the grant poster's nudge). Runs wherever REDIS_URL is set, as CI does.
const suite = onRedis() ? describe : describe.skip;

suite('referrals over the Redis transport', () => {
  const h = new ReferralHarness(testConfig({}, { redis: true }));

  beforeAll(() => h.start());
  afterAll(() => h.stop());

  it('attributes, rewards once for a redelivered purchase, and posts the grants', async () => {
    const a = await h.register('Redis inviter');
    const b = await h.invite(a, 'Redis invitee');
    const purchase = h.purchase(b, 5000);
    await Promise.all(Array.from({ length: 5 }, () => h.publish({ ...purchase })));
    const referral = await eventually(async () => {
      const r = await h.referralOf(b);
      return r?.status === 'REWARDED' ? r : null;
    });
    await h.settled(referral.id, 2);
    expect(await h.balance(a)).toBe(100);
    expect(await h.balance(b)).toBe(50);
  });
});
