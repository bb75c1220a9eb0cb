/**
 * The one registry of integration events: every topic and the payload it carries. Producers
 * (`uow.publish`) and consumers (`runtime.consume`) are typed by it, so a payload change is a
 * compile error at every place that writes or reads it. Ids are strings and times ISO-8601 UTC;
 * the envelope ({@link EventEnvelope}) adds `id`, `topic`, `key`, `occurredAt` and `source`.
 */

/** A `PointKind` value (`REGULAR`, `GREEN`) as rows store it. */
export type PointKindName = string;

/** `member.registered` (members; key memberId). Pseudonymous: never contact data. */
export interface MemberRegistered {
  memberId: string;
  joinedAt: string;
  registeredVia: string;
  referralCode: string | null;
}

/** `member.erased` (members; key memberId): personal data erased (PIPL); the id lives on. */
export interface MemberErased {
  memberId: string;
  erasedAt: string;
}

/** `balance.changed` (ledger; key memberId): one per ledger entry. */
export interface BalanceChanged {
  memberId: string;
  kind: PointKindName;
  delta: number;
  balance: number;
  entryId: string;
  entryType: string;
  sequence: number;
  createdAt: string;
}

/** `points.expiring` (ledger; key memberId): one per (lot, lead, expiry date). */
export interface PointsExpiring {
  memberId: string;
  kind: PointKindName;
  points: number;
  expiresAt: string;
  daysLeft: number;
  lotId: string;
  lead: string;
  warningId: string;
  /** When the warning was recorded (the `ExpiryWarning.createdAt` of the live payload). */
  createdAt: string;
  /** The merchant whose purchase earned the lot (null: not earned at a merchant). */
  merchantId: string | null;
}

/** `purchase.recorded` (campaigns; key memberId). */
export interface PurchaseRecorded {
  purchaseId: string;
  merchantId: string;
  memberId: string;
  orderId: string;
  amount: number;
  occurredAt: string;
  firstPurchase: boolean;
  awards: { kind: PointKindName; points: number }[];
  /** Green items' amounts (minor units) per category as sent (null: none given); absent from events older than the field. */
  green?: { category: string | null; amount: number }[];
}

/** `purchase.refunded` (campaigns; key memberId); amounts in minor units, `refundedTotal` cumulative. */
export interface PurchaseRefunded {
  purchaseId: string;
  refundId: string;
  merchantId: string;
  memberId: string;
  amount: number;
  refundedTotal: number;
  fullyRefunded: boolean;
  /** The refunded purchase's order id (events written before it was added lack it). */
  orderId?: string;
  /** Points this refund took back, per kind (events written before it was added lack it). */
  reversed?: { kind: PointKindName; points: number }[];
}

/** `member.recall_offered` (campaigns; key memberId): R10, once per period of inactivity. */
export interface MemberRecallOffered {
  memberId: string;
  inactiveSince: string | null;
  expiring: { kind: PointKindName; points: number; expiresAt: string }[];
  points: number;
  soonestExpiry: string;
  offer: { type: 'POINTS_PLUS_CASH'; message: string };
}

/** `programme.validity_changed` (campaigns; key `programme`): the L6 notice to every member. */
export interface ProgrammeValidityChanged {
  changeId: string;
  validity: string;
  previousValidity: string;
  shortening: boolean;
  effectiveAt: string;
  announcedAt: string;
  reason: string;
  audience: 'ALL_MEMBERS';
}

/** `redemption.status_changed` (catalog; key memberId). */
export interface RedemptionStatusChanged {
  redemptionId: string;
  memberId: string;
  rewardId: string;
  merchantId: string | null;
  from: string | null;
  to: string;
  reason: string;
  at: string;
  /** The redemption's price in points (events written before it was added lack it). */
  points?: number;
  pointKind?: PointKindName;
}

/** `referral.rewarded` (referrals; key inviterId). */
export interface ReferralRewarded {
  referralId: string;
  inviterId: string;
  inviteeId: string;
  inviterPoints: number;
  inviteePoints: number;
  purchaseId: string;
}

/** `referral.reversed` (referrals; key inviterId): a refund of the qualifying purchase took both rewards back. */
export interface ReferralReversed extends ReferralRewarded {
  refundId: string;
}

/** `partner_api_key.revoked` (members; key keyId): every process forgets the key at once. */
export interface PartnerApiKeyRevoked {
  keyId: string;
  merchantId: string;
  revokedAt: string;
}

/**
 * `redemption.compensated` (catalog; key memberId): a cancelled redemption's points went back and
 * the compensation (C6) was credited. Written once the ledger confirmed the credit; may repeat
 * when a settlement runs twice (consumers key on `redemptionId`).
 */
export interface RedemptionCompensated {
  redemptionId: string;
  memberId: string;
  merchantId: string | null;
  kind: PointKindName;
  /** The redemption's own points, given back. */
  restoredPoints: number;
  /** The compensation on top. */
  points: number;
  reason: string;
  at: string;
}

/** One language's wording of a notice. */
export interface NoticeText {
  title: string;
  body: string;
}

/**
 * `notice.created` (members; key memberId): a notice entered a member's inbox (T5). Carries the
 * `Notice` fields as the graph serves them, with the text in every supported language (`en`,
 * `zh-CN`) so a live subscriber gets it in their own without a query.
 */
export interface NoticeCreated {
  id: string;
  memberId: string;
  kind: string;
  createdAt: string;
  readAt: string | null;
  texts: Record<string, NoticeText>;
}

/**
 * `earn_settings.changed` (campaigns; key the kind): a campaign, a merchant's earn rates or the
 * programme's validity changed; every campaigns replica forgets its cached settings.
 */
export interface EarnSettingsChanged {
  what: 'campaign' | 'earn-rate' | 'validity';
  id: string;
  changedAt: string;
}

/**
 * `member.tier_changed` (members; key memberId): what a member's tier answer says changed — the
 * tier, or the moment it holds until (`heldUntil`: when the oldest spending in the rolling window
 * leaves it, null when there is none) — because members learnt a purchase or a refund. Campaigns
 * replicas forget their cached tier of the member on it. Nothing is published when the tier only
 * falls with time: a cached answer expires at its `heldUntil` by itself.
 */
export interface MemberTierChanged {
  memberId: string;
  tier: string;
  heldUntil: string | null;
}

/**
 * `merchant.created` and `merchant.renamed` (members; key merchantId): the merchant's name as of
 * `namedAt`, for services that keep a copy (the ledger answers `LedgerEntry.merchant.name` from
 * its own). A copy keeps the name with the newest `namedAt`, so late or repeated events converge.
 */
export interface MerchantNamed {
  merchantId: string;
  name: string;
  namedAt: string;
}

/** Topic → payload. Add a topic here first; producers and consumers follow from it. */
export interface EventPayloads {
  'member.registered': MemberRegistered;
  'member.erased': MemberErased;
  'balance.changed': BalanceChanged;
  'points.expiring': PointsExpiring;
  'purchase.recorded': PurchaseRecorded;
  'purchase.refunded': PurchaseRefunded;
  'member.recall_offered': MemberRecallOffered;
  'programme.validity_changed': ProgrammeValidityChanged;
  'redemption.status_changed': RedemptionStatusChanged;
  'referral.rewarded': ReferralRewarded;
  'referral.reversed': ReferralReversed;
  'partner_api_key.revoked': PartnerApiKeyRevoked;
  'redemption.compensated': RedemptionCompensated;
  'notice.created': NoticeCreated;
  'earn_settings.changed': EarnSettingsChanged;
  'member.tier_changed': MemberTierChanged;
  'merchant.created': MerchantNamed;
  'merchant.renamed': MerchantNamed;
}

/** Every topic the platform knows. */
export type Topic = keyof EventPayloads;

/** Topic names by role, so no code spells a topic as a string literal. */
export const Topics = {
  memberRegistered: 'member.registered',
  memberErased: 'member.erased',
  balanceChanged: 'balance.changed',
  pointsExpiring: 'points.expiring',
  purchaseRecorded: 'purchase.recorded',
  purchaseRefunded: 'purchase.refunded',
  memberRecallOffered: 'member.recall_offered',
  programmeValidityChanged: 'programme.validity_changed',
  redemptionStatusChanged: 'redemption.status_changed',
  referralRewarded: 'referral.rewarded',
  referralReversed: 'referral.reversed',
  partnerApiKeyRevoked: 'partner_api_key.revoked',
  redemptionCompensated: 'redemption.compensated',
  noticeCreated: 'notice.created',
  earnSettingsChanged: 'earn_settings.changed',
  memberTierChanged: 'member.tier_changed',
  merchantCreated: 'merchant.created',
  merchantRenamed: 'merchant.renamed',
} as const satisfies Record<string, Topic>;
