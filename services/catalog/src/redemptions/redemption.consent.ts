import { ForbiddenError } from '@loyalty/platform';
import type { MembersClient } from '../peers/members.client';

/** A member's consent code as spent on one redemption request. */
export interface Consent {
  code: string;
  memberId: string;
  usedFor: string;
}

/** The member's one-time till code (consent at the till), spent and given back through members. */
export class MemberConsent {
  constructor(private readonly members: MembersClient) {}

  /**
   * Spends the member's one-time code on this request (members consumes it atomically; a retry of
   * the same request, same caller and key, is let through again). FORBIDDEN otherwise.
   */
  async spend(consent: Consent): Promise<void> {
    if (!(await this.members.consumeMemberCode(consent.code, consent.memberId, consent.usedFor))) {
      throw new ForbiddenError("The member code is wrong, expired, already used or another member's");
    }
  }

  /**
   * The redemption was refused after its code was spent: the member gets the code back (valid
   * until its own expiry). Best effort: the caller must see the refusal itself, and a code that
   * stays spent only means the member's app shows a new one.
   */
  async giveBack(consent: Consent): Promise<void> {
    await this.members.releaseMemberCode(consent.code, consent.memberId, consent.usedFor).catch(() => false);
  }
}
