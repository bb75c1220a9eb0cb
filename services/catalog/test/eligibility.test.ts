import { describeIneligibility, ineligibility, tierRank } from '../src/rewards/eligibility.rules';

const reward = { active: true, minTier: null as string | null, personal: false };

describe('eligibility (C4, R8)', () => {
  it('orders tiers REGULAR < SILVER < GOLD < PLATINUM', () => {
    expect(['REGULAR', 'SILVER', 'GOLD', 'PLATINUM'].map(tierRank)).toEqual([0, 1, 2, 3]);
  });

  it('lets every tier redeem an open reward', () => {
    expect(ineligibility(reward, { tier: 'REGULAR', chosen: false })).toBeNull();
  });

  it('gates by minimum tier', () => {
    const gold = { ...reward, minTier: 'GOLD' };
    expect(ineligibility(gold, { tier: 'SILVER', chosen: false })).toBe('TIER');
    expect(ineligibility(gold, { tier: 'GOLD', chosen: false })).toBeNull();
    expect(ineligibility(gold, { tier: 'PLATINUM', chosen: false })).toBeNull();
    expect(describeIneligibility('TIER', gold)).toMatch(/GOLD/);
  });

  it('offers personal rewards only to chosen members', () => {
    const personal = { ...reward, personal: true };
    expect(ineligibility(personal, { tier: 'PLATINUM', chosen: false })).toBe('NOT_OFFERED');
    expect(ineligibility(personal, { tier: 'REGULAR', chosen: true })).toBeNull();
  });

  it('offers nothing that is delisted', () => {
    expect(ineligibility({ ...reward, active: false }, { tier: 'PLATINUM', chosen: true })).toBe('INACTIVE');
  });
});
