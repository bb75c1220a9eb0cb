import { BadInputError, ForbiddenError, type Principal } from '@loyalty/platform';
import type { Channel } from './channels';
import type { Audience } from './resolver';

/** Whose stream a subscription watches, with whose rights, from where. */
export interface SubscriptionScope {
  /** The member watched; null: every member (operators only). */
  memberId: string | null;
  audience: Audience;
  afterSequence: number | null;
}

const bad = (message: string) => new BadInputError(message);

/**
 * Who may watch what (T4): a member only their own stream; an operator (admin, or a service)
 * names any member or, omitting it, watches everyone; partners none.
 */
export function authorizeSubscription(
  principal: Principal,
  channel: Channel,
  args: Record<string, unknown>,
): SubscriptionScope {
  const requested = (args.memberId as string | null | undefined) ?? null;
  const afterSequence = (args.afterSequence as number | null | undefined) ?? null;
  if (afterSequence !== null && afterSequence < 0) throw bad('afterSequence must be 0 or more');
  if (afterSequence !== null && !channel.sequenceOf) throw bad(`${channel.field} cannot resume`);
  if (principal.role === 'member') {
    if (requested !== null && requested !== principal.sub) {
      throw new ForbiddenError('A member may only subscribe to their own streams');
    }
    return { memberId: principal.sub, audience: { role: 'member', memberId: principal.sub }, afterSequence };
  }
  if (principal.role === 'admin' || principal.role === 'service') {
    if (requested === null && afterSequence !== null) throw bad('afterSequence needs a memberId');
    return { memberId: requested, audience: { role: 'admin' }, afterSequence };
  }
  throw new ForbiddenError('Only members (their own streams) and operators may subscribe');
}
