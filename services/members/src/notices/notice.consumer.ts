import { Topics, type EventEnvelope, type UnitOfWork } from '@loyalty/platform';
import { NoticeKind } from './notice.rules';
import type { NoticeDraft, NoticeService } from './notice.service';

/** The events members are told about: each topic's consumer turns its cause into notices. */
export const NOTICE_TOPICS = [
  Topics.pointsExpiring,
  Topics.programmeValidityChanged,
  Topics.memberRecallOffered,
  Topics.redemptionStatusChanged,
  Topics.referralRewarded,
  Topics.redemptionCompensated,
] as const;

/** One of {@link NOTICE_TOPICS}, typed by its topic. */
export type NoticeEvent = EventEnvelope<(typeof NOTICE_TOPICS)[number]>;

/**
 * The notices one event gives, keyed by their cause (pure). The cause key is what makes a notice
 * unique per member: the same cause published twice (a replayed sweep, a settlement run twice)
 * is one notice.
 */
export function draftsFor(event: NoticeEvent): NoticeDraft[] {
  switch (event.topic) {
    case Topics.pointsExpiring: {
      const p = event.payload;
      return [
        {
          memberId: p.memberId,
          causeKey: `expiry:${p.lotId}:${p.lead}:${p.expiresAt}`,
          facts: {
            kind: NoticeKind.EXPIRY_WARNING,
            pointKind: p.kind,
            points: p.points,
            expiresAt: p.expiresAt,
            daysLeft: p.daysLeft,
            merchantId: p.merchantId ?? null,
          },
        },
      ];
    }
    case Topics.memberRecallOffered: {
      const p = event.payload;
      return [
        {
          memberId: p.memberId,
          // Once per period of inactivity, which the last purchase identifies.
          causeKey: `recall:${p.inactiveSince ?? 'never'}`,
          facts: { kind: NoticeKind.CHURN_RECALL, points: p.points, soonestExpiry: p.soonestExpiry },
        },
      ];
    }
    case Topics.redemptionStatusChanged: {
      const p = event.payload;
      // PENDING is the saga's own first step, seconds before CONFIRMED or CANCELLED: not news.
      if (p.to === 'PENDING') return [];
      return [
        {
          memberId: p.memberId,
          causeKey: `redemption:${p.redemptionId}:${p.to}`,
          facts: {
            kind: NoticeKind.REDEMPTION_STATUS,
            status: p.to,
            merchantId: p.merchantId,
            reason: p.reason.slice(0, 300),
          },
        },
      ];
    }
    case Topics.referralRewarded: {
      const p = event.payload;
      return [
        { memberId: p.inviterId, role: 'inviter' as const, points: p.inviterPoints },
        { memberId: p.inviteeId, role: 'invitee' as const, points: p.inviteePoints },
      ]
        .filter((r) => r.points > 0)
        .map((r) => ({
          memberId: r.memberId,
          causeKey: `referral:${p.referralId}:${r.role}`,
          facts: { kind: NoticeKind.REFERRAL_REWARD, role: r.role, points: r.points },
        }));
    }
    case Topics.redemptionCompensated: {
      const p = event.payload;
      return [
        {
          memberId: p.memberId,
          causeKey: `compensation:${p.redemptionId}`,
          facts: {
            kind: NoticeKind.COMPENSATION,
            pointKind: p.kind,
            points: p.points,
            restoredPoints: p.restoredPoints,
            merchantId: p.merchantId,
            reason: p.reason.slice(0, 300),
          },
        },
      ];
    }
    default:
      // programme.validity_changed goes to every member at once (see onNoticeEvent).
      return [];
  }
}

/** Consumer of {@link NOTICE_TOPICS} (runs in the inbox transaction). */
export async function onNoticeEvent(
  notices: NoticeService,
  event: NoticeEvent,
  uow: UnitOfWork,
): Promise<void> {
  if (event.topic === Topics.programmeValidityChanged) {
    const p = event.payload;
    // L6: every member earns under the new validity from `effectiveAt`, so every member is affected.
    await notices.broadcast(uow, `validity:${p.changeId}`, {
      kind: NoticeKind.VALIDITY_CHANGE,
      validity: p.validity,
      previousValidity: p.previousValidity,
      shortening: p.shortening,
      effectiveAt: p.effectiveAt,
      reason: p.reason.slice(0, 300),
    });
    return;
  }
  for (const draft of draftsFor(event)) await notices.give(uow, draft);
}
