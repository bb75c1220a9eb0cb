import { parseDuration, type Language, type NoticeText } from '@loyalty/platform';

/** The kinds of notice a member gets (contract `NoticeKind`). */
export enum NoticeKind {
  EXPIRY_WARNING = 'EXPIRY_WARNING',
  VALIDITY_CHANGE = 'VALIDITY_CHANGE',
  CHURN_RECALL = 'CHURN_RECALL',
  REDEMPTION_STATUS = 'REDEMPTION_STATUS',
  REFERRAL_REWARD = 'REFERRAL_REWARD',
  COMPENSATION = 'COMPENSATION',
}

/**
 * What a notice says, independent of language: the facts of its cause. Merchants are kept by id
 * (named when worded, so a renamed merchant shows its current name); times are ISO-8601 UTC.
 */
export type NoticeFacts =
  | {
      kind: NoticeKind.EXPIRY_WARNING;
      pointKind: string;
      points: number;
      expiresAt: string;
      daysLeft: number;
      merchantId: string | null;
    }
  | {
      kind: NoticeKind.VALIDITY_CHANGE;
      validity: string;
      previousValidity: string;
      shortening: boolean;
      effectiveAt: string;
      reason: string;
    }
  | { kind: NoticeKind.CHURN_RECALL; points: number; soonestExpiry: string }
  | {
      kind: NoticeKind.REDEMPTION_STATUS;
      status: string;
      merchantId: string | null;
      reason: string;
    }
  | { kind: NoticeKind.REFERRAL_REWARD; role: 'inviter' | 'invitee'; points: number }
  | {
      kind: NoticeKind.COMPENSATION;
      pointKind: string;
      points: number;
      restoredPoints: number;
      merchantId: string | null;
      reason: string;
    };

/** What wording needs besides the facts: the reader's language and the programme's time zone. */
export interface WordingContext {
  language: Language;
  timeZone: string;
  /** The merchant's name (null when the notice has no merchant or it is unknown). */
  merchantName: string | null;
}

/** The merchant a notice names, if any. */
export function merchantOf(facts: NoticeFacts): string | null {
  return 'merchantId' in facts ? facts.merchantId : null;
}

/** A time as a member reads it: the programme's time zone, named, in their language. */
export function formatTime(iso: string, language: Language, timeZone: string): string {
  const text = new Intl.DateTimeFormat(language === 'zh-CN' ? 'zh-CN' : 'en-GB', {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone,
  }).format(new Date(iso));
  return `${text} (${timeZone})`;
}

/** A validity (`P1Y`, `P6M`, `NEVER`) in words. */
export function describeValidity(validity: string, language: Language): string {
  if (validity === 'NEVER') return language === 'zh-CN' ? '永久有效' : 'no expiry';
  const d = parseDuration(validity);
  if (!d) return validity;
  return d.reconfigure({ locale: language === 'zh-CN' ? 'zh-CN' : 'en' }).toHuman({ listStyle: 'long' });
}

const pointWord = (kind: string, language: Language): string =>
  language === 'zh-CN'
    ? kind === 'GREEN'
      ? '绿色积分'
      : '积分'
    : kind === 'GREEN'
      ? 'green points'
      : 'points';

const STATUS_WORDS: Record<string, { en: string; zh: string }> = {
  PENDING: { en: 'is being processed', zh: '正在处理' },
  CONFIRMED: { en: 'is confirmed', zh: '已确认' },
  FULFILLED: { en: 'has been fulfilled', zh: '已兑现' },
  CANCELLED: { en: 'was cancelled', zh: '已取消' },
};

/** Title and body of a notice in the reader's language (pure). */
export function wordNotice(facts: NoticeFacts, ctx: WordingContext): NoticeText {
  const zh = ctx.language === 'zh-CN';
  const time = (iso: string) => formatTime(iso, ctx.language, ctx.timeZone);
  const at = ctx.merchantName;
  switch (facts.kind) {
    case NoticeKind.EXPIRY_WARNING: {
      const pts = pointWord(facts.pointKind, ctx.language);
      if (zh) {
        const when = facts.daysLeft > 0 ? `${facts.daysLeft}天后` : '即将';
        return {
          title: `您有${facts.points}${pts}${when}过期`,
          body: `您${at ? `在${at}` : ''}获得的${facts.points}${pts}将于${time(facts.expiresAt)}过期，请在此之前使用。`,
        };
      }
      const when =
        facts.daysLeft > 1 ? `in ${facts.daysLeft} days` : facts.daysLeft === 1 ? 'tomorrow' : 'soon';
      return {
        title: `${facts.points} ${pts} expire ${when}`,
        body: `${facts.points} ${pts} you earned${at ? ` at ${at}` : ''} expire on ${time(facts.expiresAt)}. Use them before then.`,
      };
    }
    case NoticeKind.VALIDITY_CHANGE: {
      const next = describeValidity(facts.validity, ctx.language);
      const before = describeValidity(facts.previousValidity, ctx.language);
      if (zh) {
        return {
          title: `积分有效期将于${formatTime(facts.effectiveAt, ctx.language, ctx.timeZone)}调整`,
          body: `自${time(facts.effectiveAt)}起，新获得的积分有效期为${next}（目前为${before}）。您已有的积分到期日不变。原因：${facts.reason}`,
        };
      }
      return {
        title: `Points validity changes on ${time(facts.effectiveAt)}`,
        body: `From ${time(facts.effectiveAt)}, points you earn are valid for ${next} (now ${before}). Points you already have keep their expiry date. Reason: ${facts.reason}`,
      };
    }
    case NoticeKind.CHURN_RECALL:
      return zh
        ? {
            title: `您有${facts.points}积分即将过期`,
            body: `好久不见！您的${facts.points}积分最早将于${time(facts.soonestExpiry)}过期。现在可以用“积分+现金”兑换好礼，别让积分白白过期。`,
          }
        : {
            title: `${facts.points} of your points expire soon`,
            body: `We miss you! ${facts.points} of your points start expiring on ${time(facts.soonestExpiry)}. Use them with a little cash (points plus cash) before they do.`,
          };
    case NoticeKind.REDEMPTION_STATUS: {
      const words = STATUS_WORDS[facts.status] ?? { en: `is ${facts.status}`, zh: facts.status };
      const cancelled = facts.status === 'CANCELLED' && facts.reason;
      if (zh) {
        return {
          title: `您的兑换${words.zh}`,
          body: `您${at ? `在${at}` : ''}的积分兑换${words.zh}。${cancelled ? `原因：${facts.reason}。积分将退回您的账户。` : ''}`,
        };
      }
      return {
        title: `Your redemption ${words.en}`,
        body: `Your redemption${at ? ` at ${at}` : ''} ${words.en}.${cancelled ? ` Reason: ${facts.reason}. Your points are returned to your balance.` : ''}`,
      };
    }
    case NoticeKind.REFERRAL_REWARD:
      if (facts.role === 'inviter') {
        return zh
          ? {
              title: `邀请奖励：${facts.points}积分`,
              body: `您邀请的好友完成了首次消费，${facts.points}积分已存入您的账户。`,
            }
          : {
              title: `You earned ${facts.points} points for inviting a friend`,
              body: `A friend you invited made their first purchase: ${facts.points} points are now in your balance.`,
            };
      }
      return zh
        ? {
            title: `新人奖励：${facts.points}积分`,
            body: `感谢您通过好友邀请加入并完成首次消费，${facts.points}积分已存入您的账户。`,
          }
        : {
            title: `Welcome reward: ${facts.points} points`,
            body: `Thanks for joining through a friend's invitation and making your first purchase: ${facts.points} points are now in your balance.`,
          };
    case NoticeKind.COMPENSATION: {
      const pts = pointWord(facts.pointKind, ctx.language);
      return zh
        ? {
            title: `补偿：${facts.points}${pts}`,
            body: `由于我方原因，您${at ? `在${at}` : ''}的兑换未能完成。${facts.restoredPoints}${pts}已退回，另补偿${facts.points}${pts}。${facts.reason ? `原因：${facts.reason}` : ''}`,
          }
        : {
            title: `Compensation: ${facts.points} ${pts}`,
            body: `Your redemption${at ? ` at ${at}` : ''} could not be honoured for reasons on our side. ${facts.restoredPoints} ${pts} were returned and ${facts.points} ${pts} added as compensation.${facts.reason ? ` Reason: ${facts.reason}` : ''}`,
          };
    }
  }
}
