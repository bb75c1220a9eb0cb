import { z } from 'zod';
import { ConfigError, generateSigningJwk, loadConfig, loadSettings, setting } from '@loyalty/platform';

describe('loadConfig', () => {
  it('applies the contract defaults', () => {
    const c = loadConfig({}, {});
    expect(c.env.GATEWAY_PORT).toBe(4000);
    expect(c.env.POINTS_VALIDITY).toBe('P1Y');
    expect(c.env.EXPIRY_WARNING_LEADS).toBe('P30D,P7D,P1D');
    expect(c.servicePort('members')).toBe(4001);
    expect(c.servicePort('referrals')).toBe(4005);
    expect(c.serviceUrl('ledger')).toBe('http://localhost:4002/graphql');
    expect(c.database('catalog')).toEqual({
      kind: 'sqlite',
      file: './data/loyalty_catalog.sqlite',
      checkpointIntervalMs: 100,
    });
  });

  it('derives subgraph ports from GATEWAY_PORT and accepts NEVER and short durations', () => {
    const c = loadConfig(
      { GATEWAY_PORT: '5000', POINTS_VALIDITY: 'NEVER', EXPIRY_WARNING_LEADS: 'PT12S' },
      {},
    );
    expect(c.servicePort('campaigns')).toBe(5004);
    expect(c.env.POINTS_VALIDITY).toBe('NEVER');
  });

  it('uses one MySQL database per service, overridable per service', () => {
    const c = loadConfig(
      { MYSQL_URL: 'mysql://root@db:3306', LEDGER_DATABASE_URL: 'mysql://u:p@ledger-db:3306/points' },
      {},
    );
    expect(c.database('members')).toEqual({
      kind: 'mysql',
      serverUrl: 'mysql://root@db:3306',
      database: 'loyalty_members',
    });
    expect(c.database('ledger')).toEqual({
      kind: 'mysql',
      serverUrl: 'mysql://u:p@ledger-db:3306/',
      database: 'points',
    });
  });

  it.each([
    [{ POINTS_VALIDITY: 'one year' }, 'POINTS_VALIDITY'],
    [{ EXPIRY_WARNING_LEADS: 'P30D,soon' }, 'EXPIRY_WARNING_LEADS'],
    [{ GATEWAY_PORT: '70000' }, 'GATEWAY_PORT'],
    [{ NODE_ENV: 'production' }, 'AUTH_VERIFY_KEYS'],
  ])('refuses to start on %j', (env, key) => {
    expect(() => loadConfig(env, {})).toThrow(ConfigError);
    expect(() => loadConfig(env, {})).toThrow(key);
  });

  it('accepts real keys in production', () => {
    const c = loadConfig(
      {
        NODE_ENV: 'production',
        AUTH_SIGNING_KEY: JSON.stringify(generateSigningJwk('user')),
        AUTH_SERVICE_SIGNING_KEY: JSON.stringify(generateSigningJwk('service')),
      },
      {},
    );
    expect(c.production).toBe(true);
    expect(c.env.AUTH_SIGNING_KEY?.kid).toMatch(/^user-/);
  });
});

describe('loadSettings', () => {
  const schema = z.object({
    EXAMPLE_INTERVAL: setting.duration('EXAMPLE_INTERVAL').default('PT15S'),
    EXAMPLE_COUNT: setting.count().default(3),
  });

  it("reads a service's own settings from the same variables, overrides included", () => {
    const config = loadConfig({ EXAMPLE_COUNT: '7' }, { EXAMPLE_INTERVAL: 'PT1M' });
    expect(loadSettings(config, schema)).toEqual({ EXAMPLE_INTERVAL: 'PT1M', EXAMPLE_COUNT: 7 });
    expect(loadSettings(loadConfig({}, {}), schema)).toEqual({ EXAMPLE_INTERVAL: 'PT15S', EXAMPLE_COUNT: 3 });
  });

  it('refuses an invalid value, naming the variable', () => {
    const config = loadConfig({ EXAMPLE_INTERVAL: 'soon' }, {});
    expect(() => loadSettings(config, schema)).toThrow(ConfigError);
    expect(() => loadSettings(config, schema)).toThrow(/EXAMPLE_INTERVAL/);
  });
});
