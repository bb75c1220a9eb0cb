import { ConfigError, loadConfig } from '@loyalty/platform';
import { loadCatalogConfig } from '../src/config';

describe('catalog settings', () => {
  it('has defaults and reads overrides, not process.env', () => {
    expect(loadCatalogConfig(loadConfig({}, {}))).toEqual({
      compensation: { rate: 0.1, minimum: 1 },
      recoveryIntervalMs: 15_000,
      staleAfterMs: 30_000,
      holdTtlSeconds: 900,
      rewardListMaxAgeSeconds: 10,
    });
    const config = loadConfig({ REDEMPTION_COMPENSATION_RATE: '0.25', REDEMPTION_HOLD_TTL: 'PT90S' }, {});
    expect(loadCatalogConfig(config)).toMatchObject({ compensation: { rate: 0.25 }, holdTtlSeconds: 90 });
    // Zero turns the reuse of the public reward list off.
    expect(loadCatalogConfig(loadConfig({ REWARD_LIST_MAX_AGE: 'PT0S' }, {}))).toMatchObject({
      rewardListMaxAgeSeconds: 0,
    });
  });

  it('refuses invalid values, naming the variable', () => {
    const bad = loadConfig({ REDEMPTION_STALE_AFTER: 'soon' }, {});
    expect(() => loadCatalogConfig(bad)).toThrow(ConfigError);
    expect(() => loadCatalogConfig(bad)).toThrow(/REDEMPTION_STALE_AFTER/);
    expect(() => loadCatalogConfig(loadConfig({ REDEMPTION_COMPENSATION_RATE: '11' }, {}))).toThrow(
      ConfigError,
    );
    expect(() => loadCatalogConfig(loadConfig({ REWARD_LIST_MAX_AGE: '-PT5S' }, {}))).toThrow(
      /REWARD_LIST_MAX_AGE/,
    );
  });
});
