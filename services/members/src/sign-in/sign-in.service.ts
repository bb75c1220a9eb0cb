import { randomInt, randomUUID } from 'node:crypto';
import { IsNull } from 'typeorm';
import { UnauthenticatedError, type Logger, type Transactor } from '@loyalty/platform';
import { MemberRow } from '../members/member.entity';
import type { Clock } from '../sessions/clock';
import type { SessionGrant, SessionService } from '../sessions/session.service';
import type { CodeSender } from './code-sender';
import { SignInChallengeRow } from './sign-in-challenge.entity';
import type { SignInLimiter } from './sign-in.limiter';
import {
  contactKey,
  MAX_SIGN_IN_TRIES,
  SIGN_IN_CODE_TTL_MS,
  signInCodeHash,
  signInCodeMatches,
  signInContact,
} from './sign-in.rules';

/** What `requestSignInCode` answers (the `SignInChallenge` type). */
export interface SignInChallenge {
  id: string;
  expiresAt: Date;
  devCode: string | null;
}

export interface SignInSettings {
  /** Keys code hashes and rate-limit keys. */
  secret: string;
  /** Outside production the code is also returned as `devCode`. */
  exposeDevCode: boolean;
}

/**
 * Passwordless sign-in (contract "Member sign-in"): a 6-digit code sent to the member's phone or
 * email, stored only as a keyed hash, valid five minutes and for five tries, rate limited per
 * contact and per client. A request for an unknown contact is answered and stored alike, with no
 * code sent, so nobody can probe who is a member.
 */
export class SignInService {
  /** Deliveries under way: answers never wait for the provider (the timing would tell). */
  private readonly sending = new Set<Promise<void>>();

  constructor(
    private readonly transactor: Transactor,
    private readonly limiter: SignInLimiter,
    private readonly sender: CodeSender,
    private readonly sessions: SessionService,
    private readonly clock: Clock,
    private readonly settings: SignInSettings,
    private readonly logger: Logger,
  ) {}

  async requestCode(
    phone: string | null | undefined,
    email: string | null | undefined,
    client: string,
  ): Promise<SignInChallenge> {
    const contact = signInContact(phone, email);
    await this.limiter.requestCode(contactKey(this.settings.secret, contact), client);
    const now = this.clock.now();
    const id = randomUUID();
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const expiresAt = new Date(now.getTime() + SIGN_IN_CODE_TTL_MS);
    const memberId = await this.transactor.run(async ({ manager }) => {
      const member = await manager.findOneBy(MemberRow, {
        [contact.channel]: contact.value,
        erasedAt: IsNull(),
      });
      await manager.insert(SignInChallengeRow, {
        id,
        memberId: member?.id ?? null,
        codeHash: signInCodeHash(this.settings.secret, id, code),
        attempts: 0,
        expiresAt,
        createdAt: now,
        consumedAt: null,
      });
      return member?.id ?? null;
    });
    if (memberId) this.deliver({ channel: contact.channel, to: contact.value, code, expiresAt });
    return { id, expiresAt, devCode: memberId && this.settings.exposeDevCode ? code : null };
  }

  /**
   * Signs in with a challenge's code. Every try counts against the challenge, committed before
   * the code is compared; a wrong, used, expired or exhausted code is UNAUTHENTICATED alike.
   */
  async signIn(challengeId: string, code: string, client: string): Promise<SessionGrant> {
    await this.limiter.signInTry(client);
    const now = this.clock.now();
    const opened = await this.transactor.run(async ({ manager }) => {
      const counted = await manager
        .createQueryBuilder()
        .update(SignInChallengeRow)
        .set({ attempts: () => 'attempts + 1' })
        .where('id = :id AND attempts < :max AND consumedAt IS NULL AND expiresAt > :now', {
          id: challengeId,
          max: MAX_SIGN_IN_TRIES,
          now,
        })
        .execute();
      if (!counted.affected) return null;
      const challenge = await manager.findOneByOrFail(SignInChallengeRow, { id: challengeId });
      if (!challenge.memberId) return null;
      if (!signInCodeMatches(this.settings.secret, challenge.id, code, challenge.codeHash)) return null;
      const consumed = await manager
        .createQueryBuilder()
        .update(SignInChallengeRow)
        .set({ consumedAt: now })
        .where('id = :id AND consumedAt IS NULL', { id: challengeId })
        .execute();
      if (!consumed.affected) return null;
      const refreshToken = await this.sessions.open(manager, challenge.memberId, now);
      return { memberId: challenge.memberId, refreshToken };
    });
    if (!opened) throw new UnauthenticatedError('Wrong, used or expired sign-in code');
    return this.sessions.grant(opened.memberId, opened.refreshToken);
  }

  /** Waits for deliveries under way (on stop). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.sending]);
  }

  private deliver(message: Parameters<CodeSender['send']>[0]): void {
    const sending = this.sender
      .send(message)
      .catch((error: unknown) =>
        this.logger.error({ err: error, channel: message.channel }, 'sign-in code delivery failed'),
      )
      .finally(() => this.sending.delete(sending));
    this.sending.add(sending);
  }
}
