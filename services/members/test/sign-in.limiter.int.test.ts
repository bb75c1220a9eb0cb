import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { ErrorCode } from '@loyalty/platform';
import { onRedis } from '@loyalty/testing';
import { SignInLimiter } from '../src/sign-in/sign-in.limiter';

const limits = { perContact: 2, perClient: 3, windowSeconds: 60 };
const refused = (p: Promise<unknown>) =>
  expect(p).rejects.toMatchObject({ extensions: { code: ErrorCode.LIMIT_REACHED } });

describe('SignInLimiter (memory)', () => {
  it('limits code requests per contact and per client, and tries at five per code', async () => {
    const limiter = new SignInLimiter(limits, null);
    await limiter.requestCode('contact-a', 'client-1');
    await limiter.requestCode('contact-a', 'client-2');
    await refused(limiter.requestCode('contact-a', 'client-3'));
    await limiter.requestCode('contact-b', 'client-1');
    await limiter.requestCode('contact-c', 'client-1');
    await refused(limiter.requestCode('contact-d', 'client-1'));
    for (let i = 0; i < 15; i += 1) await limiter.signInTry('client-9');
    await refused(limiter.signInTry('client-9'));
  });

  it('0 turns a limit off', async () => {
    const limiter = new SignInLimiter({ perContact: 0, perClient: 0, windowSeconds: 60 }, null);
    for (let i = 0; i < 50; i += 1) await limiter.requestCode('contact', 'client');
  });
});

(onRedis() ? describe : describe.skip)('SignInLimiter (Redis)', () => {
  // Connected in beforeAll: jest runs a skipped block's body too, and a client made there would
  // connect (to localhost, without REDIS_URL) with no afterAll to close it.
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL!);
  });
  afterAll(() => redis.quit());

  it('shares the counts between replicas', async () => {
    const prefix = `test:${randomBytes(5).toString('hex')}`;
    const a = new SignInLimiter(limits, { redis, prefix });
    const b = new SignInLimiter(limits, { redis, prefix });
    await a.requestCode('contact', 'client-1');
    await b.requestCode('contact', 'client-2');
    await refused(a.requestCode('contact', 'client-3'));
    await refused(b.requestCode('contact', 'client-4'));
  });
});
