import { ConfigError, durationMs, loadConfig, requireDuration } from '../src';

describe('API_KEY_CACHE_TTL', () => {
  it('defaults to 3 s and refuses more than 4 s or a non-duration with a ConfigError', () => {
    expect(durationMs(requireDuration(loadConfig({}, {}).env.API_KEY_CACHE_TTL))).toBe(3000);
    expect(() => loadConfig({ API_KEY_CACHE_TTL: 'PT5S' }, {})).toThrow(/API_KEY_CACHE_TTL: at most PT4S/);
    expect(() => loadConfig({ API_KEY_CACHE_TTL: 'bogus' }, {})).toThrow(ConfigError);
  });
});
