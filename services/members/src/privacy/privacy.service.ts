import { randomUUID } from 'node:crypto';
import {
  checkpointDatabase,
  checkText,
  NotFoundError,
  type Database,
  Topics,
  type Principal,
  type Transactor,
} from '@loyalty/platform';
import { ConsentRow, PROGRAMME_TERMS_VERSION } from '../consents/consent.entity';
import { MemberRow } from '../members/member.entity';
import { PrivacyRequestRow } from './privacy-request.entity';
import type { PersonalDataExport } from './privacy.type';

/** Shown instead of an erased member's name; the id stays so the points trail stays whole. */
export const ERASED_NAME = 'Deleted member';

const actor = (p: Principal) => (p.role === 'member' ? 'self' : `${p.role}:${p.sub}`);

/**
 * PIPL data-subject rights: access/export, erasure, consent changes (REQUIREMENTS M5). Callers
 * pass the principal the policy allowed (`privacySubject`); it is recorded as who acted.
 */
export class PrivacyService {
  constructor(
    private readonly transactor: Transactor,
    private readonly db: Database,
  ) {}

  async export(memberId: string, p: Principal): Promise<PersonalDataExport> {
    return this.transactor.run(async ({ manager }) => {
      const member = await manager.findOneBy(MemberRow, { id: memberId });
      if (!member) throw new NotFoundError('Member', memberId);
      const consents = await manager.find(ConsentRow, { where: { memberId }, order: { recordedAt: 'ASC' } });
      await manager.insert(PrivacyRequestRow, {
        id: randomUUID(),
        memberId,
        kind: 'export',
        requestedBy: actor(p),
        reason: 'data export',
        at: new Date(),
      });
      return {
        memberId,
        displayName: member.displayName,
        phone: member.phone,
        email: member.email,
        joinedAt: member.joinedAt,
        registeredVia: member.registeredVia,
        erasedAt: member.erasedAt,
        consents,
        generatedAt: new Date(),
      };
    });
  }

  /**
   * Erases contact data and name. The member id (a pseudonym) stays, so ledger entries,
   * purchases and redemptions keep a complete trail without personal data.
   */
  async erase(memberId: string, reason: string, p: Principal): Promise<MemberRow> {
    const why = checkText(reason, 'reason', 500, { multiline: true });
    const erased = await this.transactor.run(async ({ manager, publish }) => {
      const member = await manager.findOneBy(MemberRow, { id: memberId });
      if (!member) throw new NotFoundError('Member', memberId);
      if (member.erasedAt) return member; // erasing twice is the same as once
      const now = new Date();
      await manager.update(
        MemberRow,
        { id: memberId },
        { displayName: ERASED_NAME, phone: null, email: null, erasedAt: now },
      );
      await manager.insert(PrivacyRequestRow, {
        id: randomUUID(),
        memberId,
        kind: 'erasure',
        requestedBy: actor(p),
        reason: why,
        at: now,
      });
      await publish({
        topic: Topics.memberErased,
        key: memberId,
        payload: { memberId, erasedAt: now.toISOString() },
      });
      return { ...member, displayName: ERASED_NAME, phone: null, email: null, erasedAt: now };
    });
    // The old name and contact data must leave the disk, not linger in the write-ahead log.
    await checkpointDatabase(this.db);
    return erased;
  }

  /** Records a consent change as a new row; earlier rows stay as evidence. */
  async setMarketingConsent(memberId: string, granted: boolean, p: Principal): Promise<boolean> {
    await this.transactor.run(async ({ manager }) => {
      if (!(await manager.existsBy(MemberRow, { id: memberId }))) throw new NotFoundError('Member', memberId);
      await manager.insert(ConsentRow, {
        id: randomUUID(),
        memberId,
        purpose: 'marketing',
        granted,
        version: PROGRAMME_TERMS_VERSION,
        recordedAt: new Date(),
        recordedVia: actor(p),
      });
    });
    return granted;
  }
}
