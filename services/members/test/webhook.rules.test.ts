import { Topics, type EventEnvelope } from '@loyalty/platform';
import {
  backoffMs,
  checkEndpointUrl,
  isPublicAddress,
  messageOf,
  parseEventTypes,
  WebhookInputError,
} from '../src/webhooks/webhook.rules';

describe('webhook endpoint URLs', () => {
  it('accepts http and https outside production, nothing else', () => {
    expect(checkEndpointUrl('http://127.0.0.1:8080/hooks', false).toString()).toBe(
      'http://127.0.0.1:8080/hooks',
    );
    expect(checkEndpointUrl('https://partner.example/hooks', false).host).toBe('partner.example');
    for (const bad of [
      'ftp://example.com/x',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'nope',
      '//x.example',
    ]) {
      expect(() => checkEndpointUrl(bad, false)).toThrow(WebhookInputError);
    }
    expect(() => checkEndpointUrl('https://user:pw@example.com/', false)).toThrow(/credentials/);
  });

  it('in production accepts only https to public addresses', () => {
    expect(checkEndpointUrl('https://partner.example/hooks', true).protocol).toBe('https:');
    for (const bad of [
      'http://partner.example/hooks',
      'https://127.0.0.1/hooks',
      'https://10.1.2.3/',
      'https://192.168.0.10/',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/',
      'https://[fd00::1]/',
      'https://[::ffff:10.0.0.1]/',
      'https://localhost/',
      'https://db.internal/',
    ]) {
      expect(() => checkEndpointUrl(bad, true)).toThrow(WebhookInputError);
    }
  });

  it('knows public addresses from internal ones', () => {
    expect(isPublicAddress('93.184.216.34')).toBe(true);
    expect(isPublicAddress('2606:2800:220:1:248:1893:25c8:1946')).toBe(true);
    for (const internal of [
      '127.0.0.1',
      '10.0.0.1',
      '172.16.5.4',
      '100.64.0.1',
      '0.0.0.0',
      '::',
      '::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      'x',
    ])
      expect(isPublicAddress(internal)).toBe(false);
  });
});

describe('webhook event names and backoff', () => {
  it('accepts the known events once each and refuses unknown or none', () => {
    expect(parseEventTypes(['purchase.recorded', 'purchase.recorded', 'redemption.status_changed'])).toEqual([
      'purchase.recorded',
      'redemption.status_changed',
    ]);
    expect(() => parseEventTypes(['purchase.exploded'])).toThrow(/unknown event purchase.exploded/);
    expect(() => parseEventTypes([])).toThrow(WebhookInputError);
  });

  it('doubles the delay from the initial one, up to the cap', () => {
    expect([1, 2, 3, 4, 10].map((n) => backoffMs(n, 5000, 60_000))).toEqual([
      5000, 10_000, 20_000, 40_000, 60_000,
    ]);
  });
});

describe('webhook messages', () => {
  const envelope = <T extends EventEnvelope>(e: Omit<T, 'id' | 'occurredAt' | 'source' | 'key'>) =>
    ({ id: 'e1', key: 'k', occurredAt: '2026-01-01T00:00:00.000Z', source: 'test', ...e }) as T;

  it('carry the ids and the points of each event', () => {
    const recorded = messageOf(
      envelope({
        topic: Topics.purchaseRecorded,
        payload: {
          purchaseId: 'p1',
          merchantId: 'm1',
          memberId: 'u1',
          orderId: 'A-1',
          amount: 3000,
          occurredAt: '2026-01-01T00:00:00.000Z',
          firstPurchase: true,
          awards: [
            { kind: 'REGULAR', points: 30 },
            { kind: 'GREEN', points: 5 },
          ],
        },
      }),
    );
    expect(recorded).toMatchObject({
      type: 'purchase.recorded',
      timestamp: '2026-01-01T00:00:00.000Z',
      data: { merchantId: 'm1', orderId: 'A-1', memberId: 'u1', points: 35 },
    });
    const redemption = messageOf(
      envelope({
        topic: Topics.redemptionStatusChanged,
        payload: {
          redemptionId: 'r1',
          memberId: 'u1',
          rewardId: 'w1',
          merchantId: 'm1',
          from: 'PENDING',
          to: 'CONFIRMED',
          reason: 'held',
          at: '2026-01-01T00:00:00.000Z',
          points: 500,
          pointKind: 'REGULAR',
        },
      }),
    );
    expect(redemption.data).toMatchObject({
      merchantId: 'm1',
      redemptionId: 'r1',
      memberId: 'u1',
      points: 500,
    });
  });
});
