import { BadInputError, type ServiceClient, type Transactor } from '@loyalty/platform';
import type { EntityManager } from 'typeorm';
import { MemberStreamRow } from './account.entity';

const MEMBER_EXISTS = 'query LedgerMemberExists($id: ID!) { member(id: $id) { id } }';

/**
 * Which members exist. The members service owns them; the ledger keeps one stream row per member
 * it has seen (from `member.registered` events, or by asking the members service once when a
 * write names a member it has not seen yet). A write for an unknown member is BAD_USER_INPUT.
 */
export class MemberDirectory {
  constructor(
    private readonly transactor: Transactor,
    private readonly members: Pick<ServiceClient, 'request'> | null,
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
  }

  async remember(memberId: string): Promise<void> {
    await this.transactor.run(({ manager }) => MemberDirectory.remember(manager, memberId));
  }

  /** Throws BAD_USER_INPUT unless the member exists. Runs before any write transaction. */
  async ensure(memberId: string): Promise<void> {
    const known = await this.transactor.read((m) => m.existsBy(MemberStreamRow, { memberId }));
    if (known) return;
    if (!this.members) throw new BadInputError(`Unknown member ${memberId}`, 'memberId');
    let exists = false;
    try {
      const data = await this.members.request<{ member: { id: string } | null }>(MEMBER_EXISTS, {
        id: memberId,
      });
      exists = Boolean(data.member);
    } catch (error) {
      if ((error as { code?: string }).code !== 'NOT_FOUND') throw error;
    }
    if (!exists) throw new BadInputError(`Unknown member ${memberId}`, 'memberId');
    await this.remember(memberId);
  }
}
