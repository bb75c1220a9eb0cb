import { In, type EntityManager } from 'typeorm';
import { alignToKeys, EntityReader, forUpdate, type Transactor } from '@loyalty/platform';
import { ReferralGrantRow } from '../grants/grant.entity';
import { ReferralRow } from './referral.entity';

/**
 * The invitee's referral, with a locking read: on MySQL a plain read sees the transaction's first
 * snapshot, taken before a registration handled at the same moment (another stream) committed
 * the referral, and would miss it; the locking read sees (and waits for) the latest commit.
 */
export function lockReferralOf(manager: EntityManager, inviteeId: string): Promise<ReferralRow | null> {
  return forUpdate(
    manager.createQueryBuilder(ReferralRow, 'r').where('r.inviteeId = :inviteeId', { inviteeId }),
  ).getOne();
}

/** Reads of referrals and their grants, batched for DataLoaders. */
export class ReferralQueries {
  private readonly rows: EntityReader<ReferralRow>;

  constructor(private readonly transactor: Transactor) {
    this.rows = new EntityReader(transactor, ReferralRow);
  }

  async byIds(ids: readonly string[]): Promise<(ReferralRow | null)[]> {
    return alignToKeys(ids, await this.rows.whereIn('id', ids), (r) => r.id);
  }

  async byInviteeIds(ids: readonly string[]): Promise<(ReferralRow | null)[]> {
    return alignToKeys(ids, await this.rows.whereIn('inviteeId', ids), (r) => r.inviteeId);
  }

  /** Each inviter's invitations, newest first. */
  async byInviterIds(ids: readonly string[]): Promise<ReferralRow[][]> {
    const rows = await this.rows.whereIn('inviterId', ids, {
      order: [
        ['registeredAt', 'DESC'],
        ['id', 'ASC'],
      ],
    });
    const byInviter = new Map<string, ReferralRow[]>(ids.map((id) => [id, []]));
    for (const r of rows) byInviter.get(r.inviterId)?.push(r);
    return ids.map((id) => byInviter.get(id) ?? []);
  }

  async grantsByReferralIds(ids: readonly string[]): Promise<ReferralGrantRow[][]> {
    const rows = await this.transactor.read((m) =>
      m.find(ReferralGrantRow, {
        where: { referralId: In([...ids]) },
        order: { createdAt: 'ASC', id: 'ASC' },
      }),
    );
    const byReferral = new Map<string, ReferralGrantRow[]>(ids.map((id) => [id, []]));
    for (const g of rows) byReferral.get(g.referralId)?.push(g);
    return ids.map((id) => byReferral.get(id) ?? []);
  }
}
