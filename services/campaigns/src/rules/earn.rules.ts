/**
 * The earn-rule engine: a pure function from the facts of a purchase (or a sign-up), the
 * merchant's rates and the campaigns in force to the points it earns. No I/O, no clock, no
 * floats: every amount is an integer and every division rounds down.
 *
 * Evaluation order (stated to members in the programme terms and each campaign's terms):
 * 1. Base: REGULAR points = floor(amount × rate.points / rate.per) on the whole purchase
 *    (default rate 1 point per 100 minor units, i.e. 1 point per yuan).
 * 2. Green: GREEN points = floor(sum of the green items' amounts × greenRate.points / greenRate.per),
 *    in addition to the base points (green items are part of the purchase amount).
 * 3. Campaigns that qualify (window, merchant, merchant category, tier, weekday / day of month in
 *    the campaign's time zone, first order, minimum amount), in order of start time, then id:
 *    - a campaign gives points of its own kind (REGULAR by default, or GREEN); a multiplier m adds
 *      floor(base × m) − base points of that kind, where base is the purchase's base points of
 *      that kind (step 1 for REGULAR, step 2 for GREEN). Multipliers never apply to other
 *      campaigns' points and do not compound: two overlapping ×2 campaigns give base + base + base;
 *    - a GREEN campaign applies only to purchases with green items (green points stay tied to
 *      eco-friendly spending);
 *    - a flat bonus adds its points once per qualifying purchase; a spend-target campaign (R8) gives
 *      its bonus once, on the purchase that brings the member's net spend in the window to the target;
 *    - the campaign's points are then limited by what is left of its per-member cap and of its
 *      budget (a campaign whose cap or budget is used up gives nothing more).
 * 4. Awards with zero points are dropped.
 */
import { PointKind } from '@loyalty/platform';
import { localDay } from './local-time.rules';

/** `points` points per `per` minor units, rounded down. */
export interface EarnRate {
  points: number;
  per: number;
}

export interface MerchantRates {
  regular: EarnRate;
  green: EarnRate;
}

/** The platform default (contract): 1 point per 100 minor units (1 yuan), for both kinds. */
export const DEFAULT_RATE: EarnRate = { points: 1, per: 100 };
export const DEFAULT_RATES: MerchantRates = { regular: DEFAULT_RATE, green: DEFAULT_RATE };

export type FirstOrderScope = 'PLATFORM' | 'MERCHANT';

/** A campaign as the engine sees it. */
export interface CampaignRule {
  id: string;
  name: string;
  startsAt: Date;
  /** Exclusive; null: open-ended. */
  endsAt: Date | null;
  merchantId: string | null;
  merchantCategory: string | null;
  tiers: string[] | null;
  /** ISO weekdays (1 = Monday) in `timeZone`. */
  weekdays: number[] | null;
  /** Days of the month (local market days) in `timeZone`. */
  monthDays: number[] | null;
  timeZone: string;
  /** Multiplier in hundredths (200 = ×2); null: none. */
  multiplierPct: number | null;
  bonusPoints: number | null;
  /** Points given on registration (sign-up campaigns only). */
  signUpBonus: number | null;
  firstOrder: FirstOrderScope | null;
  minAmount: number | null;
  /** R8 personal benefit plan: the bonus once, when the member's spend in the window reaches this. */
  spendTarget: number | null;
  perMemberCap: number | null;
  budget: number | null;
  /** ISO-8601 duration or NEVER for this campaign's points; null: the programme validity. */
  validity: string | null;
  /** The kind of points the campaign gives and multiplies (REGULAR unless set). */
  pointKind?: PointKind;
}

/** Points already given by a campaign: in total and to this member. */
export interface CampaignUsage {
  awarded: number;
  awardedToMember: number;
}

export interface PurchaseFacts {
  merchantId: string;
  merchantCategory: string;
  memberTier: string;
  amount: number;
  greenAmount: number;
  occurredAt: Date;
  /** No earlier purchase of this member anywhere on the platform. */
  firstWithPlatform: boolean;
  /** No earlier purchase of this member at this merchant. */
  firstWithMerchant: boolean;
  /** Per spend-target campaign: the member's net spend in its window before this purchase. */
  spendBefore?: ReadonlyMap<string, number>;
}

export interface SignUpFacts {
  memberTier: string;
  joinedAt: Date;
}

/** One line of a breakdown. `ruleKey` is stable per purchase: it names the ledger posting. */
export interface EvaluatedAward {
  ruleKey: string;
  kind: PointKind;
  points: number;
  reason: string;
  campaignId: string | null;
  /** Own validity of these points (campaign rule); null: the programme validity. */
  validity: string | null;
}

export const BASE_RULE = 'base';
export const GREEN_RULE = 'green';
export const campaignRuleKey = (campaignId: string) => `campaign:${campaignId}`;

/** `8000` → `80`, `8050` → `80.50` (yuan). */
export function formatYuan(minor: number): string {
  const yuan = Math.floor(minor / 100);
  const fen = minor % 100;
  return fen === 0 ? `${yuan}` : `${yuan}.${String(fen).padStart(2, '0')}`;
}

/** "1 point per 1 yuan" / "3 points per 2.50 yuan". */
export function describeRate(rate: EarnRate, kind = ''): string {
  const unit = `${kind ? `${kind} ` : ''}point${rate.points === 1 ? '' : 's'}`;
  return `${rate.points} ${unit} per ${formatYuan(rate.per)} yuan`;
}

/** floor(amount × rate.points / rate.per), exact for every Int amount (no float rounding). */
export function pointsAt(amount: number, rate: EarnRate): number {
  if (amount <= 0) return 0;
  return Number((BigInt(amount) * BigInt(rate.points)) / BigInt(rate.per));
}

/** The multiplier as people write it: 200 → "2", 150 → "1.5". */
export function formatMultiplier(pct: number): string {
  return String(pct / 100);
}

/** Extra REGULAR points a multiplier adds to `base`: floor(base × m) − base. */
export function multiplierExtra(base: number, multiplierPct: number): number {
  return Number((BigInt(base) * BigInt(multiplierPct)) / 100n) - base;
}

function inWindow(c: CampaignRule, at: Date): boolean {
  return c.startsAt.getTime() <= at.getTime() && (c.endsAt === null || at.getTime() < c.endsAt.getTime());
}

function onCalendar(c: CampaignRule, at: Date): boolean {
  if (!c.weekdays?.length && !c.monthDays?.length) return true;
  const day = localDay(at, c.timeZone);
  if (c.weekdays?.length && !c.weekdays.includes(day.weekday)) return false;
  if (c.monthDays?.length && !c.monthDays.includes(day.monthDay)) return false;
  return true;
}

/** Deterministic campaign order: start time, then id. */
export function byStart(a: CampaignRule, b: CampaignRule): number {
  return a.startsAt.getTime() - b.startsAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Why a campaign does or does not apply to a purchase (null: it applies). */
export function purchaseDisqualifier(c: CampaignRule, f: PurchaseFacts): string | null {
  if (c.signUpBonus !== null) return 'sign-up campaign';
  if (!inWindow(c, f.occurredAt)) return 'outside the campaign window';
  if (c.merchantId !== null && c.merchantId !== f.merchantId) return 'another merchant';
  if (c.merchantCategory !== null && c.merchantCategory !== f.merchantCategory)
    return 'another merchant category';
  if (c.tiers?.length && !c.tiers.includes(f.memberTier)) return 'tier not eligible';
  if (!onCalendar(c, f.occurredAt)) return 'not a campaign day';
  if (c.minAmount !== null && f.amount < c.minAmount) return 'below the minimum amount';
  if (c.firstOrder === 'PLATFORM' && !f.firstWithPlatform) return 'not the first order';
  if (c.firstOrder === 'MERCHANT' && !f.firstWithMerchant) return 'not the first order at this merchant';
  if (c.pointKind === PointKind.GREEN && f.greenAmount <= 0) return 'no green items';
  if (c.spendTarget !== null) {
    const before = f.spendBefore?.get(c.id) ?? 0;
    if (before >= c.spendTarget) return 'spend target reached earlier';
    if (before + f.amount < c.spendTarget) return 'spend target not reached yet';
  }
  return null;
}

/** What is left of a campaign's per-member cap and budget (Infinity: unbounded). */
export function remainingAllowance(c: CampaignRule, usage: CampaignUsage | undefined): number {
  const u = usage ?? { awarded: 0, awardedToMember: 0 };
  const byMember = c.perMemberCap === null ? Infinity : Math.max(0, c.perMemberCap - u.awardedToMember);
  const byBudget = c.budget === null ? Infinity : Math.max(0, c.budget - u.awarded);
  return Math.min(byMember, byBudget);
}

function capped(
  points: number,
  c: CampaignRule,
  usage: CampaignUsage | undefined,
): { points: number; note: string } {
  const left = remainingAllowance(c, usage);
  if (points <= left) return { points, note: '' };
  const which =
    c.budget !== null && c.budget - (usage?.awarded ?? 0) <= left
      ? "the campaign's budget"
      : 'the per-member cap';
  return { points: left, note: ` (limited by ${which})` };
}

/** The breakdown of a purchase, in the documented order. */
export function evaluatePurchase(
  facts: PurchaseFacts,
  rates: MerchantRates,
  campaigns: readonly CampaignRule[],
  usage: ReadonlyMap<string, CampaignUsage> = new Map(),
): EvaluatedAward[] {
  const awards: EvaluatedAward[] = [];
  const base = pointsAt(facts.amount, rates.regular);
  awards.push({
    ruleKey: BASE_RULE,
    kind: PointKind.REGULAR,
    points: base,
    reason: `Base rate: ${describeRate(rates.regular)} on ${formatYuan(facts.amount)} yuan`,
    campaignId: null,
    validity: null,
  });
  const greenBase = pointsAt(facts.greenAmount, rates.green);
  awards.push({
    ruleKey: GREEN_RULE,
    kind: PointKind.GREEN,
    points: greenBase,
    reason: `Green items: ${describeRate(rates.green, 'GREEN')} on ${formatYuan(facts.greenAmount)} yuan of eco-friendly items`,
    campaignId: null,
    validity: null,
  });
  for (const c of [...campaigns].sort(byStart)) {
    if (purchaseDisqualifier(c, facts) !== null) continue;
    // A spend target rewards once per member, even if refunds let the member cross it again.
    if (c.spendTarget !== null && (usage.get(c.id)?.awardedToMember ?? 0) > 0) continue;
    const parts: string[] = [];
    let points = 0;
    const kind = c.pointKind ?? PointKind.REGULAR;
    const green = kind === PointKind.GREEN ? 'GREEN ' : '';
    if (c.multiplierPct !== null) {
      const extra = multiplierExtra(kind === PointKind.GREEN ? greenBase : base, c.multiplierPct);
      points += extra;
      parts.push(`×${formatMultiplier(c.multiplierPct)} ${green}base points (+${extra})`);
    }
    if (c.bonusPoints !== null) {
      points += c.bonusPoints;
      parts.push(
        c.spendTarget !== null
          ? `${c.bonusPoints} bonus ${green}points for reaching ${formatYuan(c.spendTarget)} yuan of spending`
          : `${c.bonusPoints} bonus ${green}points`,
      );
    }
    const limited = capped(points, c, usage.get(c.id));
    awards.push({
      ruleKey: campaignRuleKey(c.id),
      kind,
      points: limited.points,
      reason: `Campaign "${c.name}": ${parts.join(' + ')}${limited.note}`,
      campaignId: c.id,
      validity: c.validity,
    });
  }
  return awards.filter((a) => a.points > 0);
}

/** Sign-up bonuses (M2, R6) a new member gets from the sign-up campaigns in force. */
export function evaluateSignUp(
  facts: SignUpFacts,
  campaigns: readonly CampaignRule[],
  usage: ReadonlyMap<string, CampaignUsage> = new Map(),
): EvaluatedAward[] {
  const awards: EvaluatedAward[] = [];
  for (const c of [...campaigns].sort(byStart)) {
    if (c.signUpBonus === null || !inWindow(c, facts.joinedAt)) continue;
    if (c.tiers?.length && !c.tiers.includes(facts.memberTier)) continue;
    const limited = capped(c.signUpBonus, c, usage.get(c.id));
    awards.push({
      ruleKey: campaignRuleKey(c.id),
      kind: PointKind.REGULAR,
      points: limited.points,
      reason: `Campaign "${c.name}": ${c.signUpBonus} sign-up bonus points${limited.note}`,
      campaignId: c.id,
      validity: c.validity,
    });
  }
  return awards.filter((a) => a.points > 0);
}

/**
 * Proportional reversal (R7): the cumulative points taken back after refunding `refundedTotal`
 * of `purchaseAmount` are round(points × refundedTotal / purchaseAmount) (half up), so partial
 * refunds never drift and a full refund takes back exactly what was given.
 */
export function cumulativeReversal(points: number, refundedTotal: number, purchaseAmount: number): number {
  if (refundedTotal >= purchaseAmount) return points;
  const num = BigInt(points) * BigInt(refundedTotal) * 2n + BigInt(purchaseAmount);
  return Number(num / (BigInt(purchaseAmount) * 2n));
}
