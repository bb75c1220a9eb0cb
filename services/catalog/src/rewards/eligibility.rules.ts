/** Member tiers in ascending order (contract: REGULAR, SILVER, GOLD, PLATINUM). */
export const TIERS = ['REGULAR', 'SILVER', 'GOLD', 'PLATINUM'] as const;
export type Tier = (typeof TIERS)[number];

export function isTier(value: string): value is Tier {
  return (TIERS as readonly string[]).includes(value);
}

/** Rank of a tier; unknown tiers count as the lowest. */
export function tierRank(tier: string): number {
  const i = TIERS.indexOf(tier as Tier);
  return i < 0 ? 0 : i;
}

/** What eligibility looks at on a reward (C4, R8). */
export interface EligibilityRule {
  active: boolean;
  minTier: string | null;
  /** Personal rewards are offered only to chosen members. */
  personal: boolean;
}

/** What is known about the member. */
export interface Candidate {
  tier: string;
  /** Whether the member is among the reward's chosen members (personal rewards). */
  chosen: boolean;
}

export type Ineligibility = 'INACTIVE' | 'TIER' | 'NOT_OFFERED';

/** Null when the member may redeem the reward, otherwise why not. */
export function ineligibility(reward: EligibilityRule, member: Candidate): Ineligibility | null {
  if (!reward.active) return 'INACTIVE';
  if (reward.minTier && tierRank(member.tier) < tierRank(reward.minTier)) return 'TIER';
  if (reward.personal && !member.chosen) return 'NOT_OFFERED';
  return null;
}

export function describeIneligibility(reason: Ineligibility, reward: EligibilityRule): string {
  switch (reason) {
    case 'INACTIVE':
      return 'This reward is no longer offered';
    case 'TIER':
      return `This reward needs tier ${reward.minTier} or above`;
    case 'NOT_OFFERED':
      return 'This reward is offered only to chosen members';
  }
}
