import { ConfigError, loadConfig } from '@loyalty/platform';
import { budgetOf, loadRateLimitSettings } from '../src/http/rate-limit';

describe('gateway rate limit settings and budgets', () => {
  it('reads the budgets and refuses bad values with a ConfigError', () => {
    expect(loadRateLimitSettings(loadConfig({}, {}))).toEqual({
      partnerPoints: 600,
      anonymousPoints: 120,
      windowSeconds: 60,
    });
    expect(() => loadRateLimitSettings(loadConfig({ RATE_LIMIT_WINDOW: 'bogus' }, {}))).toThrow(ConfigError);
    expect(() => loadRateLimitSettings(loadConfig({ RATE_LIMIT_WINDOW: 'PT0.5S' }, {}))).toThrow(
      /at least PT1S/,
    );
    expect(() => loadRateLimitSettings(loadConfig({ RATE_LIMIT_PARTNER: '-1' }, {}))).toThrow(ConfigError);
  });

  it('charges partners per key (or merchant), anonymous and bad credentials per address, others nothing', () => {
    const key = { role: 'partner' as const, sub: 'apikey:k', merchantId: 'm', apiKeyId: 'k' };
    expect(budgetOf(key, '1.2.3.4')).toEqual({ bucket: 'partner', key: 'key:k' });
    expect(budgetOf({ role: 'partner', sub: 'partner:m', merchantId: 'm' }, '1.2.3.4')).toEqual({
      bucket: 'partner',
      key: 'merchant:m',
    });
    expect(budgetOf(null, '1.2.3.4')).toEqual({ bucket: 'anonymous', key: 'ip:1.2.3.4' });
    expect(budgetOf('invalid', '1.2.3.4')).toEqual({ bucket: 'anonymous', key: 'ip:1.2.3.4' });
    expect(budgetOf({ role: 'member', sub: 'u' }, '1.2.3.4')).toBeNull();
    expect(budgetOf({ role: 'admin', sub: 'ops' }, '1.2.3.4')).toBeNull();
  });
});
