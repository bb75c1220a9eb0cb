import type { EntityManager } from 'typeorm';
import { BadInputError, type Transactor } from '@loyalty/platform';
import type { EarnSettingsCache } from '../campaigns/earn-settings.cache';
import type { MembersClient } from '../peers/members.client';
import { DEFAULT_RATES, describeRate, type MerchantRates } from '../rules/earn.rules';
import { EarnRateRow } from './earn-rate.entity';
import type { SetEarnRateInput } from './earn-rate.input';
import type { EarnRate } from './earn-rate.type';

const check = (value: number, field: string, max: number) => {
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw new BadInputError(`${field} must be a whole number from 1 to ${max}`, field);
  return value;
};

/** A merchant's rates, or the platform default. */
export async function ratesFor(manager: EntityManager, merchantId: string): Promise<MerchantRates> {
  const row = await manager.findOneBy(EarnRateRow, { merchantId });
  if (!row) return DEFAULT_RATES;
  return {
    regular: { points: row.points, per: row.per },
    green: { points: row.greenPoints, per: row.greenPer },
  };
}

export function toEarnRate(merchantId: string, rates: MerchantRates): EarnRate {
  return {
    merchantId,
    points: rates.regular.points,
    per: rates.regular.per,
    greenPoints: rates.green.points,
    greenPer: rates.green.per,
    description: `${describeRate(rates.regular)}; green items also earn ${describeRate(rates.green, 'GREEN')}`,
  };
}

/** R1/R3: base and green rates per merchant (admin). New rates apply to purchases recorded after the change. */
export class EarnRateService {
  constructor(
    private readonly transactor: Transactor,
    private readonly members: MembersClient,
    private readonly settings: EarnSettingsCache,
  ) {}

  async set(input: SetEarnRateInput): Promise<EarnRate> {
    const points = check(input.points, 'points', 10_000);
    const per = check(input.per, 'per', 1_000_000);
    const greenPoints = check(input.greenPoints ?? points, 'greenPoints', 10_000);
    const greenPer = check(input.greenPer ?? per, 'greenPer', 1_000_000);
    if (!(await this.members.merchant(input.merchantId)))
      throw new BadInputError(`Unknown merchant ${input.merchantId}`, 'merchantId');
    await this.transactor.run(async (uow) => {
      const { manager } = uow;
      const row = { merchantId: input.merchantId, points, per, greenPoints, greenPer, updatedAt: new Date() };
      if (await manager.existsBy(EarnRateRow, { merchantId: input.merchantId })) {
        await manager.update(EarnRateRow, { merchantId: input.merchantId }, row);
      } else {
        await manager.insert(EarnRateRow, row);
      }
      await this.settings.changed(uow, 'earn-rate', input.merchantId);
    });
    this.settings.invalidate();
    return toEarnRate(input.merchantId, {
      regular: { points, per },
      green: { points: greenPoints, per: greenPer },
    });
  }

  async get(merchantId: string): Promise<EarnRate> {
    return toEarnRate(merchantId, await this.transactor.read((m) => ratesFor(m, merchantId)));
  }
}
