import { randomUUID } from 'node:crypto';
import { LessThanOrEqual, MoreThan, type EntityManager } from 'typeorm';
import {
  addDuration,
  BadInputError,
  durationMs,
  parseDuration,
  Topics,
  wholeDays,
  type Language,
  type Transactor,
} from '@loyalty/platform';
import {
  checkValidity,
  MAX_SIGNUP_BONUS,
  STACKING_RULE,
  STACKING_RULE_ZH,
  termsTime,
} from '../campaigns/campaign.rules';
import { describeRate, DEFAULT_RATE } from '../rules/earn.rules';
import type { EarnSettingsCache } from '../campaigns/earn-settings.cache';
import type { CampaignsConfig } from '../config';
import { ValidityChangeRow } from './validity-change.entity';

/** L6: a shortening of validity is announced at least this long before it applies. */
export const SHORTENING_NOTICE_DAYS = 30;

/** When points credited at `from` with `validity` expire (null: never). */
export function expiryOf(from: Date, validity: string): Date | null {
  if (validity === 'NEVER') return null;
  const d = parseDuration(validity);
  return d ? addDuration(from, d) : null;
}

/** Milliseconds a validity lasts from `at` (Infinity: never expires). */
function lengthOf(validity: string, at: Date): number {
  if (validity === 'NEVER') return Infinity;
  const d = parseDuration(validity);
  return d ? durationMs(d, at) : Infinity;
}

export interface ScheduleValidityInput {
  validity: string;
  effectiveAt: Date;
  reason: string;
}

/** Programme terms (R5) and the validity of newly earned points over time (L4, L6). */
export class TermsService {
  constructor(
    private readonly transactor: Transactor,
    private readonly settings: Pick<CampaignsConfig, 'pointsValidity' | 'expiryWarningLeads'>,
    private readonly cache: EarnSettingsCache,
  ) {}

  /** {@link validityAt} from the cached validity changes (purchases: no read). */
  async cachedValidityAt(at: Date): Promise<string> {
    return (await this.cache.validityAt(at)) ?? this.settings.pointsValidity;
  }

  /** The validity given to points credited at `at`: the configured one, or a change in effect. */
  async validityAt(at: Date = new Date(), manager?: EntityManager): Promise<string> {
    const find = (m: EntityManager) =>
      m.findOne(ValidityChangeRow, {
        where: { effectiveAt: LessThanOrEqual(at) },
        order: { effectiveAt: 'DESC', announcedAt: 'DESC' },
      });
    // Inside a transaction, read through it (on SQLite a separate read would wait for it forever).
    const change = manager ? await find(manager) : await this.transactor.read(find);
    return change?.validity ?? this.settings.pointsValidity;
  }

  async upcoming(now: Date = new Date()): Promise<ValidityChangeRow[]> {
    return this.transactor.read((m) =>
      m.find(ValidityChangeRow, { where: { effectiveAt: MoreThan(now) }, order: { effectiveAt: 'ASC' } }),
    );
  }

  /**
   * Schedules a new validity for points earned from `effectiveAt` (L6). A shorter validity needs
   * at least 30 days' notice; points already earned keep their expiry (their lots are fixed in the
   * ledger). The announcement is an outbox event every member is notified from.
   */
  async scheduleValidityChange(input: ScheduleValidityInput): Promise<ValidityChangeRow> {
    const validity = checkValidity(input.validity) as string;
    const reason = input.reason.trim();
    if (!reason || reason.length > 300)
      throw new BadInputError('reason must be 1 to 300 characters', 'reason');
    const now = new Date();
    if (input.effectiveAt.getTime() <= now.getTime())
      throw new BadInputError('effectiveAt must be in the future', 'effectiveAt');
    const before = await this.validityAt(input.effectiveAt);
    const shortening = lengthOf(validity, input.effectiveAt) < lengthOf(before, input.effectiveAt);
    const earliest = now.getTime() + SHORTENING_NOTICE_DAYS * 86_400_000;
    if (shortening && input.effectiveAt.getTime() < earliest) {
      throw new BadInputError(
        `Shortening validity (from ${before} to ${validity}) needs at least ${SHORTENING_NOTICE_DAYS} days' notice: effectiveAt must be on or after ${new Date(earliest).toISOString()}`,
        'effectiveAt',
      );
    }
    const change = await this.transactor.run(async (uow) => {
      const { manager, publish } = uow;
      const row = manager.create(ValidityChangeRow, {
        id: randomUUID(),
        validity,
        effectiveAt: input.effectiveAt,
        announcedAt: now,
        reason,
      });
      await manager.insert(ValidityChangeRow, row);
      await publish({
        topic: Topics.programmeValidityChanged,
        key: 'programme',
        payload: {
          changeId: row.id,
          validity,
          previousValidity: before,
          shortening,
          effectiveAt: input.effectiveAt.toISOString(),
          announcedAt: now.toISOString(),
          reason,
          audience: 'ALL_MEMBERS',
        },
      });
      await this.cache.changed(uow, 'validity', row.id);
      return row;
    });
    this.cache.invalidate();
    return change;
  }

  /** Whole days before expiry at which members are warned (rounded down; PT12S is 0). */
  warningDays(): number[] {
    return this.settings.expiryWarningLeads.split(',').map((lead) => {
      const d = parseDuration(lead.trim());
      return d ? wholeDays(d) : 0;
    });
  }

  /** The programme's rules in words (R5), before the active campaigns' own terms, in `language`. */
  async rules(now = new Date(), language: Language = 'en'): Promise<string[]> {
    const validity = await this.validityAt(now);
    const days = this.warningDays();
    if (language === 'zh-CN') return rulesZh(validity, days);
    const rules = [
      `Earning: every purchase at a partner merchant earns REGULAR points at the merchant's base rate — by default ${describeRate(DEFAULT_RATE)} (100 fen) of the amount paid, rounded down. Amounts are whole fen; points are whole numbers.`,
      `Green consumption points: eco-friendly items (energy-saving appliances, public transport, organic food, degradable packaging, carbon-reduction products) also earn GREEN points on their own amounts, by default ${describeRate(DEFAULT_RATE, 'GREEN')}, rounded down. GREEN points have their own balance.`,
      STACKING_RULE,
      `Bonuses not tied to spending are bounded: a sign-up bonus is at most ${MAX_SIGNUP_BONUS} points, given once per member and campaign, within the campaign's budget. No sign-up, first-order or campaign bonus applies unless a campaign below says so.`,
      validity === 'NEVER'
        ? 'Validity: points never expire.'
        : `Validity: points are valid for ${validity} (ISO-8601 duration) from the moment they are credited; a campaign may give its points a validity of their own, stated in its terms.`,
      `Expiry warnings: members are told ${days.map((d) => `${d} day${d === 1 ? '' : 's'}`).join(', ')} before points expire. Points that expire soonest are spent first; expired points are written off in the member's history.`,
      `Changes: shortening the validity of newly earned points is announced to every member at least ${SHORTENING_NOTICE_DAYS} days ahead, and never shortens points already earned.`,
      'Refunds: a refund takes back the points of the purchase in proportion to the refunded amount, rounded to the nearest point. A balance never goes negative: points already spent are recorded as a shortfall.',
      'Redemption: points are redeemed in the catalog for goods, coupons, services, shipping-fee offsets and tickets, priced in points or points plus cash; GREEN points only where a reward accepts them. Points are held when you redeem and spent when the order is confirmed; a failed order gives them back. Points are not money and cannot be exchanged for cash.',
    ];
    return rules;
  }

  /** An upcoming validity change in words, in the programme's time zone. */
  describeChange(change: ValidityChangeRow, language: Language, timeZone: string): string {
    const when = termsTime(change.effectiveAt, language, timeZone);
    return language === 'zh-CN'
      ? `自${when}起，新获得的积分有效期为${change.validity}（${change.reason}）。`
      : `From ${when}, newly earned points are valid for ${change.validity} (${change.reason}).`;
  }
}

/** The programme's rules in Chinese: the same rules as the English ones, in the same order. */
function rulesZh(validity: string, days: number[]): string[] {
  return [
    '积分获取：在合作商户的每笔消费按商户基础比例获得普通积分，默认每消费1元（100分）得1积分，向下取整。金额以分为单位，积分为整数。',
    '绿色消费积分：环保商品（节能家电、公共交通、有机食品、可降解包装、低碳产品）按其自身金额另得绿色积分，默认每1元得1绿色积分，向下取整。绿色积分单独计算余额。',
    STACKING_RULE_ZH,
    `与消费无关的奖励有上限：注册奖励最多${MAX_SIGNUP_BONUS}积分，每位会员每个活动一次，且在活动预算之内。除非下方活动另有说明，不发放注册、首单或活动奖励。`,
    validity === 'NEVER'
      ? '有效期：积分永久有效。'
      : `有效期：积分自到账起有效期为${validity}（ISO-8601时长）；活动可为其积分另定有效期，以活动条款为准。`,
    `到期提醒：积分到期前${days.map((d) => `${d}天`).join('、')}提醒会员。最早到期的积分优先使用；过期积分会在会员明细中注销。`,
    `变更：缩短新获积分有效期须至少提前${SHORTENING_NOTICE_DAYS}天通知每位会员，且不会缩短已获得积分的有效期。`,
    '退款：退款按退款金额比例收回该笔消费所得积分，四舍五入到整数。余额不会为负：已使用的积分记为差额。',
    '兑换：积分可在商城兑换商品、优惠券、服务、运费抵扣和票券，以积分或积分加现金计价；绿色积分仅可用于接受绿色积分的商品。兑换时先冻结积分，订单确认后扣除；订单失败则退回。积分不是货币，不能兑换现金。',
  ];
}
