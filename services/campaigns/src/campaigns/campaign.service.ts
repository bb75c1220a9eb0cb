import { randomUUID } from 'node:crypto';
import { In, IsNull, LessThanOrEqual, MoreThan, type EntityManager } from 'typeorm';
import {
  alignToKeys,
  BadInputError,
  checkDateWithin,
  checkText,
  forUpdate,
  isMysql,
  NotFoundError,
  PointKind,
  type Sql,
  type Transactor,
  type UnitOfWork,
} from '@loyalty/platform';
import type { MembersClient } from '../peers/members.client';
import { isValidTimeZone } from '../rules/local-time.rules';
import { CampaignRow, CampaignUsageRow } from './campaign.entity';
import type { EarnSettingsCache } from './earn-settings.cache';
import {
  checkCampaignWindow,
  checkValidity,
  intList,
  MAX_SIGNUP_BONUS,
  multiplierToPct,
  positiveInt,
  TIERS,
} from './campaign.rules';
import type { CreateCampaignInput, UpdateCampaignInput } from './campaign.input';

export class CampaignService {
  constructor(
    private readonly transactor: Transactor,
    private readonly members: MembersClient,
    private readonly settings: EarnSettingsCache,
  ) {}

  /** Runs a change of a campaign, then forgets the cached settings (here at once, elsewhere by event). */
  private async change(work: (uow: UnitOfWork) => Promise<CampaignRow>): Promise<CampaignRow> {
    const row = await this.transactor.run(async (uow) => {
      const changed = await work(uow);
      await this.settings.changed(uow, 'campaign', changed.id);
      return changed;
    });
    this.settings.invalidate();
    return row;
  }

  async create(input: CreateCampaignInput): Promise<CampaignRow> {
    const name = checkText(input.name, 'name', 100);
    checkCampaignWindow(input.startsAt, input.endsAt);
    const multiplierPct = multiplierToPct(input.multiplier);
    const bonusPoints = positiveInt(input.bonusPoints, 'bonusPoints', 1_000_000);
    const signUpBonus = positiveInt(input.signUpBonus, 'signUpBonus', MAX_SIGNUP_BONUS);
    if (
      signUpBonus !== null &&
      (multiplierPct !== null ||
        bonusPoints !== null ||
        input.firstOrderOnly ||
        input.minAmount ||
        input.spendTarget)
    ) {
      throw new BadInputError(
        'A sign-up campaign gives only signUpBonus (no multiplier, purchase bonus or purchase conditions)',
        'signUpBonus',
      );
    }
    const pointKind = input.pointKind ?? PointKind.REGULAR;
    if (signUpBonus !== null && pointKind !== PointKind.REGULAR) {
      // GREEN points are earned by eco-friendly spending, never by registering (L2, R6).
      throw new BadInputError('A sign-up bonus is in REGULAR points', 'pointKind');
    }
    if (signUpBonus === null && multiplierPct === null && bonusPoints === null) {
      throw new BadInputError('A campaign needs a multiplier, bonusPoints or signUpBonus', 'multiplier');
    }
    const spendTarget = positiveInt(input.spendTarget, 'spendTarget');
    if (spendTarget !== null && (bonusPoints === null || multiplierPct !== null || input.firstOrderOnly)) {
      throw new BadInputError(
        'A spend-target campaign gives bonusPoints once (no multiplier or first-order condition)',
        'spendTarget',
      );
    }
    const timeZone = input.timeZone?.trim() || 'Asia/Shanghai';
    if (!isValidTimeZone(timeZone))
      throw new BadInputError('timeZone must be an IANA time zone such as Asia/Shanghai', 'timeZone');
    const tiers = input.tiers?.length ? [...new Set(input.tiers.map((t) => t.trim().toUpperCase()))] : null;
    if (tiers?.some((t) => !TIERS.includes(t)))
      throw new BadInputError(`tiers must be among ${TIERS.join(', ')}`, 'tiers');
    const merchantCategory = input.merchantCategory?.trim() || null;
    if (merchantCategory && !/^[a-z][a-z0-9-]{1,39}$/.test(merchantCategory)) {
      throw new BadInputError('merchantCategory must be a lower-case slug (e.g. dining)', 'merchantCategory');
    }
    const row: CampaignRow = {
      id: randomUUID(),
      name,
      startsAt: input.startsAt,
      endsAt: input.endsAt ?? null,
      merchantId: input.merchantId ?? null,
      merchantCategory,
      tiers: tiers?.join(',') ?? null,
      weekdays: intList(input.weekdays, 'weekdays', 1, 7),
      monthDays: intList(input.monthDays, 'monthDays', 1, 31),
      timeZone,
      multiplierPct,
      pointKind,
      bonusPoints,
      signUpBonus,
      firstOrder: input.firstOrderOnly ?? null,
      minAmount: positiveInt(input.minAmount, 'minAmount'),
      spendTarget,
      perMemberCap: positiveInt(input.perMemberCap, 'perMemberCap'),
      budget: positiveInt(input.budget, 'budget'),
      awardedPoints: 0,
      validity: checkValidity(input.validity),
      createdAt: new Date(),
      updatedAt: new Date(),
    };
    if (row.merchantId) {
      const merchant = await this.members.merchant(row.merchantId);
      if (!merchant) throw new BadInputError(`Unknown merchant ${row.merchantId}`, 'merchantId');
    }
    return this.change(async ({ manager }) => {
      await manager.insert(CampaignRow, row);
      return row;
    });
  }

  async update(id: string, input: UpdateCampaignInput): Promise<CampaignRow> {
    return this.change(async ({ manager }) => {
      const row = await manager.findOneBy(CampaignRow, { id });
      if (!row) throw new NotFoundError('Campaign', id);
      const now = new Date();
      if (input.name !== null && input.name !== undefined) {
        row.name = checkText(input.name, 'name', 100);
      }
      if (input.endsAt) {
        checkDateWithin(input.endsAt, 'endsAt');
        if (input.endsAt.getTime() < now.getTime())
          throw new BadInputError('endsAt must not be in the past', 'endsAt');
        if (input.endsAt.getTime() <= row.startsAt.getTime())
          throw new BadInputError('endsAt must be after startsAt', 'endsAt');
        if (row.endsAt && row.endsAt.getTime() <= now.getTime())
          throw new BadInputError('The campaign has ended', 'endsAt');
        row.endsAt = input.endsAt;
      }
      const budget = positiveInt(input.budget, 'budget');
      if (budget !== null) {
        if (budget < row.awardedPoints)
          throw new BadInputError(
            `budget must be at least the ${row.awardedPoints} points already given`,
            'budget',
          );
        row.budget = budget;
      }
      const cap = positiveInt(input.perMemberCap, 'perMemberCap');
      if (cap !== null) row.perMemberCap = cap;
      row.updatedAt = now;
      await manager.save(CampaignRow, row);
      return row;
    });
  }

  /** Ends a campaign now (purchases from now on no longer qualify). */
  async end(id: string): Promise<CampaignRow> {
    return this.change(async ({ manager }) => {
      const row = await manager.findOneBy(CampaignRow, { id });
      if (!row) throw new NotFoundError('Campaign', id);
      const now = new Date();
      if (row.endsAt === null || row.endsAt.getTime() > now.getTime()) {
        row.endsAt = row.startsAt.getTime() > now.getTime() ? row.startsAt : now;
        row.updatedAt = now;
        await manager.save(CampaignRow, row);
      }
      return row;
    });
  }

  /** Campaigns not ended at `now` (or all), soonest start first. */
  async list(includeEnded: boolean, now = new Date()): Promise<CampaignRow[]> {
    return this.transactor.read((m) =>
      m.find(CampaignRow, {
        where: includeEnded ? {} : [{ endsAt: IsNull() }, { endsAt: MoreThan(now) }],
        order: { startsAt: 'ASC', id: 'ASC' },
      }),
    );
  }

  async byIds(ids: readonly string[]): Promise<(CampaignRow | null)[]> {
    const rows = await this.transactor.read((m) => m.findBy(CampaignRow, { id: In([...ids]) }));
    return alignToKeys(ids, rows, (r) => r.id);
  }
}

/** Campaigns whose window contains `at` (other conditions are the engine's). */
export function campaignsInForce(manager: EntityManager, at: Date): Promise<CampaignRow[]> {
  return manager.find(CampaignRow, {
    where: [
      { startsAt: LessThanOrEqual(at), endsAt: IsNull() },
      { startsAt: LessThanOrEqual(at), endsAt: MoreThan(at) },
    ],
  });
}

/**
 * A budget is shared by every member: before awarding from budgeted campaigns, their rows are
 * read fresh (the campaigns themselves may come from the cache) and, for a write on MySQL, locked
 * (in id order, so concurrent awards never deadlock; SQLite serializes transactions).
 */
export function lockBudgets(
  manager: EntityManager,
  campaigns: CampaignRow[],
  lock = true,
): Promise<CampaignRow[]> {
  return withFreshBudgets(campaigns, (ids) => {
    const query = manager
      .createQueryBuilder(CampaignRow, 'c')
      .where('c.id IN (:...ids)', { ids })
      .orderBy('c.id', 'ASC');
    return (lock && isMysql(manager) ? forUpdate(query) : query).getMany();
  });
}

/** The budgeted campaigns' rows as `read` gives them by id; the others as they are. */
export async function withFreshBudgets(
  campaigns: CampaignRow[],
  read: (ids: string[]) => Promise<CampaignRow[]>,
): Promise<CampaignRow[]> {
  const budgeted = campaigns.filter((c) => c.budget !== null).map((c) => c.id);
  if (!budgeted.length) return campaigns;
  const byId = new Map((await read(budgeted)).map((c) => [c.id, c]));
  return campaigns.map((c) => byId.get(c.id) ?? c);
}

/** Points each campaign gave in total and to one member (per-member caps), by campaign id. */
export type CampaignUsage = Map<string, { awarded: number; awardedToMember: number }>;

/** Points each campaign gave in total and to one member. */
export function campaignUsage(
  manager: EntityManager,
  campaigns: CampaignRow[],
  memberId: string,
): Promise<CampaignUsage> {
  return usageFrom(campaigns, (capped) =>
    manager.findBy(CampaignUsageRow, { memberId, campaignId: In(capped) }),
  );
}

/** Each campaign's points given, in all and to one member (the rows `read` gives for the capped ones). */
export async function usageFrom(
  campaigns: CampaignRow[],
  read: (cappedIds: string[]) => Promise<readonly Pick<CampaignUsageRow, 'campaignId' | 'points'>[]>,
): Promise<CampaignUsage> {
  const capped = campaigns.filter((c) => c.perMemberCap !== null).map((c) => c.id);
  const rows = capped.length ? await read(capped) : [];
  const byCampaign = new Map(rows.map((r) => [r.campaignId, r.points]));
  const usage: CampaignUsage = new Map();
  for (const c of campaigns)
    usage.set(c.id, { awarded: c.awardedPoints, awardedToMember: byCampaign.get(c.id) ?? 0 });
  return usage;
}

const ADD_AWARDED =
  'UPDATE `campaigns` SET `awardedPoints` = `awardedPoints` + ? WHERE `id` = ? AND (`budget` IS NULL OR `awardedPoints` + ? <= `budget`)';

const addMemberUsage = (sql: Sql) =>
  'INSERT INTO `campaign_member_usage` (`campaignId`, `memberId`, `points`) VALUES (?, ?, ?) ' +
  (sql.kind === 'mysql'
    ? 'ON DUPLICATE KEY UPDATE `points` = `points` + VALUES(`points`)'
    : 'ON CONFLICT (`campaignId`, `memberId`) DO UPDATE SET `points` = `points` + excluded.`points`');

/**
 * Records points a campaign gave a member (budget and per-member usage), in the awarding
 * transaction. With `refused` (a purchase, whose budget was read without its lock) nothing waits
 * for an answer: the writes go with the COMMIT on MySQL, and past the budget the transaction fails
 * with `refused()` before it commits (the caller evaluates again, locked). Without it the
 * budget's update is sent now and, past the budget, the member's usage is not written.
 */
export async function recordUsage(
  sql: Sql,
  campaignId: string,
  memberId: string,
  points: number,
  refused?: () => Error,
): Promise<void> {
  const added = Number(points);
  if (refused) {
    await sql.later(ADD_AWARDED, [added, campaignId, added], added > 0 ? { expect: 1, refused } : {});
  } else if ((await sql.run(ADD_AWARDED, [added, campaignId, added])) === 0 && added > 0) {
    return;
  }
  // One upsert: the member's row is created by their first award from the campaign.
  await sql.later(addMemberUsage(sql), [campaignId, memberId, added]);
}
