import type { CampaignRule, FirstOrderScope } from '../rules/earn.rules';
import { describeRate, DEFAULT_RATE, formatMultiplier, formatYuan } from '../rules/earn.rules';
import type { CampaignRow } from './campaign.entity';
import { BadInputError, checkDateWithin, parseDuration, PointKind, type Language } from '@loyalty/platform';

const list = (csv: string | null): string[] | null => (csv ? csv.split(',').filter(Boolean) : null);
const numbers = (csv: string | null): number[] | null => list(csv)?.map(Number) ?? null;

/** The engine's view of a stored campaign. */
export function toRule(row: CampaignRow): CampaignRule {
  return {
    id: row.id,
    name: row.name,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    merchantId: row.merchantId,
    merchantCategory: row.merchantCategory,
    tiers: list(row.tiers),
    weekdays: numbers(row.weekdays),
    monthDays: numbers(row.monthDays),
    timeZone: row.timeZone,
    multiplierPct: row.multiplierPct,
    bonusPoints: row.bonusPoints,
    signUpBonus: row.signUpBonus,
    firstOrder: (row.firstOrder as FirstOrderScope | null) ?? null,
    minAmount: row.minAmount,
    spendTarget: row.spendTarget,
    perMemberCap: row.perMemberCap,
    budget: row.budget,
    validity: row.validity,
    pointKind: (row.pointKind as PointKind | undefined) ?? PointKind.REGULAR,
  };
}

const WEEKDAY_NAMES = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const WEEKDAY_NAMES_ZH = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'];

/** How a campaign's terms are worded: the reader's language, the programme's time zone, merchant names. */
export interface TermsWording {
  language: Language;
  /** The programme's time zone (PROGRAMME_TIME_ZONE): window times are stated in it. */
  timeZone: string;
  /** The name of the campaign's merchant, when it has one. */
  merchantName?: string | null;
}

/** A time as the terms state it: minutes, in the programme's time zone, named. */
export function termsTime(d: Date, language: Language, timeZone: string): string {
  const text = new Intl.DateTimeFormat(language === 'zh-CN' ? 'zh-CN' : 'en-GB', {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone,
  }).format(d);
  return `${text} (${timeZone})`;
}

/** The stacking rule, said the same way everywhere it is disclosed. */
export const STACKING_RULE =
  'How rules stack, in this order: (1) base REGULAR points at the merchant rate, rounded down; ' +
  '(2) GREEN points on eco-friendly items at the green rate, rounded down; (3) campaigns in order ' +
  'of start: each campaign gives points of its own kind, REGULAR unless it says GREEN; a ' +
  'multiplier multiplies the base points of that kind only (never other bonuses), rounded down, ' +
  'and overlapping multipliers add their extra points instead of compounding (two ×2 campaigns ' +
  'give 3× the base); flat bonus points add once per qualifying purchase; a GREEN campaign applies ' +
  'only to purchases with eco-friendly items; (4) per-member caps and campaign budgets limit what ' +
  'each campaign gives.';

/** {@link STACKING_RULE} in Chinese. */
export const STACKING_RULE_ZH =
  '规则按以下顺序叠加：(1) 按商户比例计算基础普通积分，向下取整；(2) 环保商品按绿色比例另计绿色积分，向下取整；' +
  '(3) 活动按开始时间依次计算：每个活动发放自己类型的积分（未注明绿色积分的即为普通积分）；倍数只乘以该类型的基础积分' +
  '（不乘其他奖励），向下取整，多个倍数活动叠加时相加而不相乘（两个双倍活动合计为基础积分的3倍）；固定奖励积分每笔符合条件的消费' +
  '加一次；绿色积分活动仅适用于含环保商品的消费；(4) 每位会员的上限和活动预算限制每个活动发放的积分。';

const kindZh = (kind: PointKind) => (kind === PointKind.GREEN ? '绿色积分' : '普通积分');

/** A campaign's terms in words a member understands (R5), in their language. */
export function describeCampaign(
  row: CampaignRow,
  wording: TermsWording = { language: 'en', timeZone: 'Asia/Shanghai' },
): string {
  return wording.language === 'zh-CN' ? describeCampaignZh(row, wording) : describeCampaignEn(row, wording);
}

function describeCampaignEn(row: CampaignRow, w: TermsWording): string {
  const r = toRule(row);
  const kind = r.pointKind ?? PointKind.REGULAR;
  const time = (d: Date) => termsTime(d, 'en', w.timeZone);
  const parts: string[] = [];
  const window = r.endsAt
    ? `from ${time(r.startsAt)} until ${time(r.endsAt)}`
    : `from ${time(r.startsAt)}, until further notice`;
  if (r.signUpBonus !== null) {
    parts.push(`New members who register ${window} get ${r.signUpBonus} REGULAR points once.`);
  } else {
    const where = r.merchantId
      ? `at ${w.merchantName ?? 'one partner merchant'}`
      : r.merchantCategory
        ? `at every ${r.merchantCategory} merchant`
        : 'at every partner merchant';
    const gives: string[] = [];
    if (r.multiplierPct !== null) {
      const m = formatMultiplier(r.multiplierPct);
      const example = describeRate(
        { points: (DEFAULT_RATE.points * r.multiplierPct) / 100, per: DEFAULT_RATE.per },
        kind === PointKind.GREEN ? 'GREEN' : '',
      );
      const base = kind === PointKind.GREEN ? 'GREEN points on eco-friendly items' : 'REGULAR base points';
      gives.push(`×${m} the ${base} (at the default rate: ${example}), rounded down`);
    }
    if (r.spendTarget !== null) {
      parts.push(
        `Personal benefit plan: when a member's purchases ${where} ${window} (net of refunds) reach ${formatYuan(r.spendTarget)} yuan, the purchase that reaches it earns ${r.bonusPoints ?? 0} bonus ${kind} points, once per member.`,
      );
    } else {
      if (r.bonusPoints !== null) gives.push(`${r.bonusPoints} bonus ${kind} points per qualifying purchase`);
      parts.push(`Purchases ${where} ${window} earn ${gives.join(' plus ')}.`);
    }
  }
  const conditions: string[] = [];
  if (r.merchantId && r.merchantCategory) conditions.push(`merchant category ${r.merchantCategory}`);
  if (r.tiers?.length) conditions.push(`members of tier ${r.tiers.join(', ')}`);
  if (r.weekdays?.length)
    conditions.push(`on ${r.weekdays.map((d) => WEEKDAY_NAMES[d]).join(', ')} (${r.timeZone} time)`);
  if (r.monthDays?.length)
    conditions.push(`on days ${r.monthDays.join(', ')} of each month (market days, ${r.timeZone} time)`);
  if (r.minAmount !== null) conditions.push(`purchases of at least ${formatYuan(r.minAmount)} yuan`);
  if (r.firstOrder === 'PLATFORM') conditions.push("the member's first purchase on the platform only");
  if (r.firstOrder === 'MERCHANT') conditions.push("the member's first purchase at the merchant only");
  if (kind === PointKind.GREEN) conditions.push('purchases with eco-friendly items');
  if (conditions.length) parts.push(`Only for ${conditions.join('; ')}.`);
  if (r.perMemberCap !== null) parts.push(`At most ${r.perMemberCap} points per member from this campaign.`);
  if (r.budget !== null)
    parts.push(`Total budget ${r.budget} points; the campaign gives nothing more once it is used up.`);
  if (r.validity === 'NEVER') parts.push('These points never expire.');
  else if (r.validity)
    parts.push(`These points are valid for ${r.validity} (ISO-8601) from when they are credited.`);
  if (r.signUpBonus === null) {
    parts.push(
      'Multipliers apply to base points only and add rather than compound with other campaigns; bonuses add. ' +
        'A refund takes these points back in proportion.',
    );
  }
  return parts.join(' ');
}

function describeCampaignZh(row: CampaignRow, w: TermsWording): string {
  const r = toRule(row);
  const kind = r.pointKind ?? PointKind.REGULAR;
  const time = (d: Date) => termsTime(d, 'zh-CN', w.timeZone);
  const parts: string[] = [];
  const window = r.endsAt
    ? `${time(r.startsAt)}至${time(r.endsAt)}期间`
    : `自${time(r.startsAt)}起（另行通知前）`;
  if (r.signUpBonus !== null) {
    parts.push(`${window}注册的新会员可一次性获得${r.signUpBonus}普通积分。`);
  } else {
    const where = r.merchantId
      ? `在${w.merchantName ?? '指定合作商户'}`
      : r.merchantCategory
        ? `在所有${r.merchantCategory}类商户`
        : '在所有合作商户';
    const gives: string[] = [];
    if (r.multiplierPct !== null) {
      const m = formatMultiplier(r.multiplierPct);
      const base = kind === PointKind.GREEN ? '环保商品的绿色积分' : '基础普通积分';
      gives.push(`${base}×${m}（向下取整）`);
    }
    if (r.spendTarget !== null) {
      parts.push(
        `专属权益计划：会员${window}${where}的消费（扣除退款后）累计达到${formatYuan(r.spendTarget)}元时，达标的那笔消费可获得${r.bonusPoints ?? 0}${kindZh(kind)}奖励，每位会员一次。`,
      );
    } else {
      if (r.bonusPoints !== null) gives.push(`每笔符合条件的消费另得${r.bonusPoints}${kindZh(kind)}`);
      parts.push(`${window}${where}消费可获得：${gives.join('，外加')}。`);
    }
  }
  const conditions: string[] = [];
  if (r.merchantId && r.merchantCategory) conditions.push(`商户类别为${r.merchantCategory}`);
  if (r.tiers?.length) conditions.push(`会员等级为${r.tiers.join('、')}`);
  if (r.weekdays?.length)
    conditions.push(`仅限${r.weekdays.map((d) => WEEKDAY_NAMES_ZH[d]).join('、')}（${r.timeZone}时间）`);
  if (r.monthDays?.length)
    conditions.push(`仅限每月${r.monthDays.join('、')}日（集市日，${r.timeZone}时间）`);
  if (r.minAmount !== null) conditions.push(`单笔消费满${formatYuan(r.minAmount)}元`);
  if (r.firstOrder === 'PLATFORM') conditions.push('仅限会员在平台的首笔消费');
  if (r.firstOrder === 'MERCHANT') conditions.push('仅限会员在该商户的首笔消费');
  if (kind === PointKind.GREEN) conditions.push('消费中含环保商品');
  if (conditions.length) parts.push(`适用条件：${conditions.join('；')}。`);
  if (r.perMemberCap !== null) parts.push(`每位会员从本活动最多获得${r.perMemberCap}积分。`);
  if (r.budget !== null) parts.push(`活动总预算${r.budget}积分，用完即止。`);
  if (r.validity === 'NEVER') parts.push('这些积分永久有效。');
  else if (r.validity) parts.push(`这些积分自到账起有效期为${r.validity}（ISO-8601）。`);
  if (r.signUpBonus === null)
    parts.push(
      '倍数仅作用于基础积分，与其他活动叠加时相加而不相乘；奖励积分累加。退款时按比例收回这些积分。',
    );
  return parts.join('');
}

// ---- validation of what an operator enters (BAD_USER_INPUT before anything is written) ----

/** R6: a bonus not tied to spending stays small. */
export const MAX_SIGNUP_BONUS = 500;
export const TIERS = ['REGULAR', 'SILVER', 'GOLD', 'PLATINUM'];
const MAX_POINTS = 2 ** 31 - 1;

export const positiveInt = (
  value: number | null | undefined,
  field: string,
  max = MAX_POINTS,
): number | null => {
  if (value === null || value === undefined) return null;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new BadInputError(`${field} must be a whole number from 1 to ${max}`, field);
  }
  return value;
};

export const intList = (
  values: number[] | null | undefined,
  field: string,
  min: number,
  max: number,
): string | null => {
  if (!values || values.length === 0) return null;
  for (const v of values) {
    if (!Number.isInteger(v) || v < min || v > max)
      throw new BadInputError(`${field} must be numbers from ${min} to ${max}`, field);
  }
  return [...new Set(values)].sort((a, b) => a - b).join(',');
};

/** Validity as a campaign or the programme may give it: a positive ISO-8601 duration or NEVER. */
export function checkValidity(value: string | null | undefined, field = 'validity'): string | null {
  if (value === null || value === undefined) return null;
  const v = value.trim();
  if (v === 'NEVER') return v;
  if (!parseDuration(v))
    throw new BadInputError(`${field} must be an ISO-8601 duration (e.g. P30D) or NEVER`, field);
  return v;
}

/** Multiplier → hundredths (2 → 200; 1.5 → 150); at most two decimals, from 1 to 100. */
export function multiplierToPct(multiplier: number | null | undefined): number | null {
  if (multiplier === null || multiplier === undefined) return null;
  const pct = Math.round(multiplier * 100);
  if (!Number.isFinite(multiplier) || Math.abs(multiplier * 100 - pct) > 1e-6 || pct < 100 || pct > 10_000) {
    throw new BadInputError('multiplier must be between 1 and 100 with at most two decimals', 'multiplier');
  }
  return pct;
}

/** A campaign's window: both ends in the years 2000 to 2100, the end after the start. */
export function checkCampaignWindow(startsAt: Date, endsAt: Date | null | undefined): void {
  checkDateWithin(startsAt, 'startsAt');
  if (endsAt === null || endsAt === undefined) return;
  checkDateWithin(endsAt, 'endsAt');
  if (endsAt.getTime() <= startsAt.getTime())
    throw new BadInputError('endsAt must be after startsAt', 'endsAt');
}
