import { BadInputError, PointKind, type Transactor } from '@loyalty/platform';
import type { EntityManager } from 'typeorm';
import type { MembersClient } from '../peers/members.client';
import { AccountRow, MemberStreamRow } from './account.entity';

/**
 * Which members the ledger keeps accounts for. The members service owns members; the ledger
 * keeps one stream row (and zero-balance accounts) per member it has seen, from
 * `member.registered` events, or by asking the members service once when a write names a member
 * it has not seen yet. A write for an unknown member is BAD_USER_INPUT.
 */
export class AccountService {
  /** Members known to exist (they are never removed: erasure keeps the pseudonymous id). */
  private readonly known = new Set<string>();
  private static readonly CACHE_LIMIT = 100_000;

  constructor(
    private readonly transactor: Transactor,
    private readonly members: Pick<MembersClient, 'exists'> | null,
  ) {}

  /** Records a member (idempotent); used by the event consumer and after a remote check. */
  static async remember(manager: EntityManager, memberId: string, at = new Date()): Promise<void> {
    await manager
      .createQueryBuilder()
      .insert()
      .into(MemberStreamRow)
      .values({ memberId, lastSequence: 0, createdAt: at })
      .orIgnore()
      .execute();
    // Zero-balance accounts up front: writes then only ever lock existing rows (on MySQL a
    // locking read of a missing row takes a gap lock, and first writes of members deadlock).
    await manager
      .createQueryBuilder()
      .insert()
      .into(AccountRow)
      .values(Object.values(PointKind).map((kind) => ({ memberId, kind, balance: 0, updatedAt: at })))
      .orIgnore()
      .execute();
  }

  async remember(memberId: string): Promise<void> {
    await this.transactor.run(({ manager }) => AccountService.remember(manager, memberId));
    this.cache(memberId);
  }

  /** Throws BAD_USER_INPUT unless the member exists. Runs before any write transaction. */
  async ensure(memberId: string): Promise<void> {
    if (this.known.has(memberId)) return;
    const known = await this.transactor.read((m) => m.existsBy(MemberStreamRow, { memberId }));
    if (known) return this.cache(memberId);
    if (!this.members || !(await this.members.exists(memberId)))
      throw new BadInputError(`Unknown member ${memberId}`, 'memberId');
    await this.remember(memberId);
    this.cache(memberId);
  }

  private cache(memberId: string): void {
    if (this.known.size >= AccountService.CACHE_LIMIT) this.known.clear();
    this.known.add(memberId);
  }
}
