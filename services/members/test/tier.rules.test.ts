import { describeTierRules, standingFor, tierLadder } from '../src/tiers/tier.rules';

describe('tier rules', () => {
  it.each([
    [0, 'REGULAR', 'SILVER', 200_000],
    [199_999, 'REGULAR', 'SILVER', 1],
    [200_000, 'SILVER', 'GOLD', 800_000],
    [1_000_000, 'GOLD', 'PLATINUM', 4_000_000],
    [9_000_000, 'PLATINUM', null, null],
    [-500, 'REGULAR', 'SILVER', 200_000],
  ])('net spend %i → %s', (spend, tier, nextTier, toNext) => {
    expect(standingFor(spend)).toMatchObject({ tier, nextTier, spendToNextTier: toNext });
  });

  it('shows a spend beyond 32 bits saturated, never as an error', () => {
    expect(standingFor(101 * (2 ** 31 - 1))).toMatchObject({ tier: 'PLATINUM', rollingSpend: 2 ** 31 - 1 });
  });

  it('reads plainly', () => {
    expect(describeTierRules()[0]).toBe(
      'SILVER: at least 2,000 yuan spent in the last 365 days (net of refunds)',
    );
  });

  it('discloses the ladder from REGULAR up, over one window', () => {
    expect(tierLadder().map((t) => [t.tier, t.minRollingSpend])).toEqual([
      ['REGULAR', 0],
      ['SILVER', 200_000],
      ['GOLD', 1_000_000],
      ['PLATINUM', 5_000_000],
    ]);
    expect(new Set(tierLadder().map((t) => t.windowDays))).toEqual(new Set([365]));
  });
});
