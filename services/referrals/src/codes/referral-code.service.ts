import { In, IsNull, type EntityManager } from 'typeorm';
import { alignToKeys, forUpdate, type Transactor } from '@loyalty/platform';
import { ReferralCodeRow } from './referral-code.entity';
import { generateCode, normalizeCode } from './referral-code.rules';

/** Attempts before giving up on a fresh code (each collides with probability n / 2^40). */
const MAX_CODE_ATTEMPTS = 6;

/** Members' referral codes: generated on registration, or on demand, idempotently. */
export class ReferralCodeService {
  constructor(private readonly transactor: Transactor) {}

  /**
   * Inside a transaction: gives the member a code unless they have one. Safe against a
   * concurrent generator for the same member (the member id is the key: `INSERT … IGNORE`
   * keeps the first) and against a code collision with another member (the code is unique: a
   * new candidate is drawn).
   */
  async ensureIn(manager: EntityManager, memberId: string, now = new Date()): Promise<void> {
    if (await manager.existsBy(ReferralCodeRow, { memberId })) return;
    for (let attempt = 0; attempt < MAX_CODE_ATTEMPTS; attempt++) {
      await manager
        .createQueryBuilder()
        .insert()
        .into(ReferralCodeRow)
        .values({ memberId, code: generateCode(), createdAt: now, firstPurchaseAt: null, disabledAt: null })
        .orIgnore()
        .execute();
      const row = await forUpdate(
        manager.createQueryBuilder(ReferralCodeRow, 'c').where('c.memberId = :memberId', { memberId }),
      ).getOne();
      if (row) return;
    }
    throw new Error(`could not allocate a unique referral code for ${memberId}`);
  }

  /**
   * The codes of these members, generating the missing ones first: `Member.referralCode` never
   * fails for an existing member, even before their `member.registered` event arrives.
   */
  async codesFor(memberIds: readonly string[]): Promise<(ReferralCodeRow | null)[]> {
    let rows = await this.byMemberIds(memberIds);
    const missing = memberIds.filter((_, i) => rows[i] === null);
    if (missing.length > 0) {
      await this.transactor.run(async ({ manager }) => {
        for (const id of new Set(missing)) await this.ensureIn(manager, id);
      });
      rows = await this.byMemberIds(memberIds);
    }
    return rows;
  }

  async byMemberIds(memberIds: readonly string[]): Promise<(ReferralCodeRow | null)[]> {
    const rows = await this.transactor.read((m) =>
      m.findBy(ReferralCodeRow, { memberId: In([...memberIds]) }),
    );
    return alignToKeys(memberIds, rows, (r) => r.memberId);
  }

  /** The member who owns a code (as typed: case, spaces and dashes ignored); null if none. */
  async ownerOf(input: string): Promise<string | null> {
    const code = normalizeCode(input);
    if (!code) return null;
    const row = await this.transactor.read((m) => m.findOneBy(ReferralCodeRow, { code }));
    return row && !row.disabledAt ? row.memberId : null;
  }

  /**
   * Remembers the member's first purchase (after it, a code can no longer be applied). `code` is
   * the member's code row as the caller read it in this transaction (null: none yet), so every
   * later purchase of the member costs no statement here.
   */
  async markFirstPurchase(
    manager: EntityManager,
    memberId: string,
    at: Date,
    code: { firstPurchaseAt: unknown } | null,
  ): Promise<void> {
    if (code?.firstPurchaseAt) return;
    // The purchase may arrive before the member's registration event (separate streams).
    if (!code) await this.ensureIn(manager, memberId);
    await manager.update(ReferralCodeRow, { memberId, firstPurchaseAt: IsNull() }, { firstPurchaseAt: at });
  }

  /** `member.erased`: the code stops referring anyone (existing referrals and rewards stand). */
  async disable(manager: EntityManager, memberId: string, at: Date): Promise<void> {
    await manager.update(ReferralCodeRow, { memberId, disabledAt: IsNull() }, { disabledAt: at });
  }
}
