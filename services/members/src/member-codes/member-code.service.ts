import { randomInt, randomUUID } from 'node:crypto';
import type { Transactor } from '@loyalty/platform';
import type { Clock } from '../sessions/clock';
import { sha256 } from '../sign-in/sign-in.rules';
import { MemberCodeRow } from './member-code.entity';
import {
  isMemberCode,
  MEMBER_CODE_DIGITS,
  MEMBER_CODE_TTL_MS,
  normalizeMemberCode,
} from './member-code.rules';

/** What `issueMemberCode` answers (the `MemberCode` type). */
export interface IssuedMemberCode {
  code: string;
  expiresAt: Date;
}

/**
 * One-time consent codes that a member's app shows at a partner's till: valid two minutes,
 * bound to the member, consumed once (by the catalog, for a partner's redemption).
 */
export class MemberCodeService {
  constructor(
    private readonly transactor: Transactor,
    private readonly clock: Clock,
  ) {}

  async issue(memberId: string): Promise<IssuedMemberCode> {
    const now = this.clock.now();
    let code = '';
    while (code.length < MEMBER_CODE_DIGITS) code += String(randomInt(0, 1_000_000)).padStart(6, '0');
    code = code.slice(0, MEMBER_CODE_DIGITS);
    const expiresAt = new Date(now.getTime() + MEMBER_CODE_TTL_MS);
    await this.transactor.run(({ manager }) =>
      manager.insert(MemberCodeRow, {
        id: randomUUID(),
        memberId,
        codeHash: sha256(code),
        issuedAt: now,
        expiresAt,
        usedAt: null,
        usedFor: null,
      }),
    );
    return { code, expiresAt };
  }

  /**
   * Consumes `memberId`'s unexpired, unused `code` for `usedFor` (the caller's operation key),
   * atomically: of concurrent consumers exactly one wins. A replay of the operation that already
   * consumed it is true again (the caller's retry after a lost answer); anything else is false.
   */
  async consume(code: string, memberId: string, usedFor: string): Promise<boolean> {
    const typed = normalizeMemberCode(code);
    if (!isMemberCode(typed)) return false;
    const codeHash = sha256(typed);
    const purpose = sha256(usedFor);
    const now = this.clock.now();
    return this.transactor.run(async ({ manager }) => {
      const taken = await manager
        .createQueryBuilder()
        .update(MemberCodeRow)
        .set({ usedAt: now, usedFor: purpose })
        .where('memberId = :memberId AND codeHash = :codeHash AND usedAt IS NULL AND expiresAt > :now', {
          memberId,
          codeHash,
          now,
        })
        .execute();
      if (taken.affected) return true;
      return manager.existsBy(MemberCodeRow, { memberId, codeHash, usedFor: purpose });
    });
  }

  /**
   * Gives back a code that `usedFor` consumed when that operation was refused after all (out of
   * stock, not enough points): a refused redemption must not cost the member their consent. True
   * when it was given back; it is valid again until its own expiry.
   */
  async release(code: string, memberId: string, usedFor: string): Promise<boolean> {
    const typed = normalizeMemberCode(code);
    if (!isMemberCode(typed)) return false;
    return this.transactor.run(async ({ manager }) => {
      const released = await manager
        .createQueryBuilder()
        .update(MemberCodeRow)
        .set({ usedAt: null, usedFor: null })
        .where('memberId = :memberId AND codeHash = :codeHash AND usedFor = :purpose', {
          memberId,
          codeHash: sha256(typed),
          purpose: sha256(usedFor),
        })
        .execute();
      return Boolean(released.affected);
    });
  }
}
