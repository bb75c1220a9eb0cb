import { randomUUID } from 'node:crypto';
import {
  alignToKeys,
  BadInputError,
  ConflictError,
  EntityReader,
  isUniqueViolation,
  Topics,
  type Transactor,
} from '@loyalty/platform';
import { ConsentRow, PROGRAMME_TERMS_VERSION } from '../consents/consent.entity';
import type { ReferralsClient } from '../peers/referrals.client';
import { MemberRow } from './member.entity';
import type { RegisterMemberInput } from './member.input';
import { normalizeRegistration } from './member.rules';

export class MemberService {
  private readonly rows: EntityReader<MemberRow>;

  constructor(
    private readonly transactor: Transactor,
    private readonly referrals: ReferralsClient,
  ) {
    this.rows = new EntityReader(transactor, MemberRow);
  }

  /** Signs a member up through `via`, the channel the policy allowed (`registrationChannel`). */
  async register(input: RegisterMemberInput, via: string): Promise<MemberRow> {
    const { displayName, phone, email, referralCode } = normalizeRegistration(input);
    // Before any write: an unknown code is refused, not silently dropped.
    if (referralCode && !(await this.referrals.referralCodeOwner(referralCode))) {
      throw new BadInputError(`Unknown referral code ${referralCode}`, 'referralCode');
    }
    try {
      return await this.transactor.run(async ({ manager, publish }) => {
        if (phone && (await manager.existsBy(MemberRow, { phone }))) {
          throw new ConflictError('A member with this phone number already exists');
        }
        if (email && (await manager.existsBy(MemberRow, { email }))) {
          throw new ConflictError('A member with this email address already exists');
        }
        const now = new Date();
        const member = manager.create(MemberRow, {
          id: randomUUID(),
          displayName,
          phone,
          email,
          erasedAt: null,
          joinedAt: now,
          registeredVia: via,
        });
        await manager.insert(MemberRow, member);
        const consents = [
          { purpose: 'programme_terms', granted: true },
          { purpose: 'marketing', granted: input.marketingConsent ?? false },
        ].map((c) =>
          manager.create(ConsentRow, {
            id: randomUUID(),
            memberId: member.id,
            purpose: c.purpose,
            granted: c.granted,
            version: PROGRAMME_TERMS_VERSION,
            recordedAt: now,
            recordedVia: via,
          }),
        );
        await manager.insert(ConsentRow, consents);
        // Pseudonymous: other services learn the id and channel, never contact data.
        await publish({
          topic: Topics.memberRegistered,
          key: member.id,
          payload: { memberId: member.id, joinedAt: now.toISOString(), registeredVia: via, referralCode },
        });
        return member;
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ConflictError('A member with this phone number or email already exists');
      throw error;
    }
  }

  /** Batch lookup for DataLoaders: one query for any number of ids. */
  async byIds(ids: readonly string[]): Promise<(MemberRow | null)[]> {
    return alignToKeys(ids, await this.rows.whereIn('id', ids), (r) => r.id);
  }

  async list(first: number, afterId: string | null): Promise<MemberRow[]> {
    return this.transactor.read((m) => {
      const qb = m
        .createQueryBuilder(MemberRow, 'm')
        .orderBy('m.id', 'ASC')
        .take(first + 1);
      if (afterId) qb.where('m.id > :afterId', { afterId });
      return qb.getMany();
    });
  }
}
