import type { GraphQLSchema } from 'graphql';
import { Topics, type EventEnvelope, type EventPayloads, type Language, type Topic } from '@loyalty/platform';

/**
 * An event's payload as the gateway reads it: by field name, as the client's selection asks.
 * (Producers and consumers use the typed registry; the gateway only projects fields.)
 */
export function payloadFields(event: EventEnvelope): Readonly<Record<string, unknown>> {
  return event.payload as unknown as Readonly<Record<string, unknown>>;
}

/** How the gateway turns one event into the client's selection. */
export type Resolution =
  /**
   * The owning subgraph serves a replay field; one live event is the page `afterSequence: seq - 1,
   * first: 1` of it, and a reconnecting client's gap is a longer page of the same query.
   */
  | { kind: 'replay'; memberField: string }
  /**
   * The event payload carries the scalar fields ("primary"); `member` ("rest") is fetched through
   * the gateway by the member id in the payload.
   */
  | { kind: 'project'; entityFields: Record<string, { type: string; rootField: string; key: string }> };

/**
 * One `Subscription` field: an event channel plus the query that resolves it. Typed by its topic
 * where it is declared ({@link defineChannel}); the hub holds channels of every topic side by side.
 */
export interface Channel<T extends Topic = Topic> {
  field: string;
  /** The field as it stands in `type Subscription { … }`. */
  sdl: string;
  returnType: string;
  topic: T;
  /** Whose stream an event belongs to (authorization and routing). */
  memberOf(payload: EventPayloads[T]): string | null;
  /** Per-member sequence of the event, for channels that can resume. */
  sequenceOf?(payload: EventPayloads[T]): number;
  /** Types and fields the API schema must have for this channel to be served. */
  requires: string[];
  resolution: Resolution;
  /**
   * Scalar fields of the return type that the event payload carries as they are ("primary"): a
   * live event whose selection asks for nothing else needs no query at all.
   */
  payloadFields?: Record<string, string>;
  /**
   * Entity fields of the return type a live event names by id (field → entity type, payload field
   * with its id, and the entity's fields the event carries as they are): live payloads asking for
   * them are resolved in bulk with `_entities` (live-payloads.ts).
   */
  liveEntities?: Record<string, { type: string; idFrom: string; fromEvent?: Record<string, string> }>;
  /**
   * For `project` channels whose payload carries text in several languages: the payload's fields
   * as a subscriber reading `language` sees them (subscriptions then share resolutions per language).
   */
  localize?(payload: EventPayloads[T], language: Language): Record<string, unknown>;
}

/** Declares a channel with its payload typed by its topic. */
const defineChannel = <T extends Topic>(spec: Channel<T>): Channel => spec;

// Events may come from another process (Redis): an id that is not text routes nowhere.
const str = (v: unknown): string | null =>
  typeof v === 'string' || typeof v === 'number' ? String(v) : null;

/** The realtime channels of the graph (contract `Subscription`). */
export const CHANNELS: Channel[] = [
  defineChannel({
    field: 'balanceChanged',
    sdl: `"""
  Every change of a member's balance, of any kind. Members get their own stream (memberId
  omitted or their own id); an admin names the member, or omits it to watch every member. With
  afterSequence, the entries after that sequence are replayed first, in order, then the stream goes
  live with no gap and no duplicate (afterSequence: 0 replays everything).
  """
  balanceChanged(memberId: ID, afterSequence: Int): BalanceChange!`,
    returnType: 'BalanceChange',
    topic: Topics.balanceChanged,
    memberOf: (p) => str(p.memberId),
    sequenceOf: (p) => Number(p.sequence),
    requires: ['BalanceChange', 'Member.balanceChanges', 'Query.member'],
    resolution: { kind: 'replay', memberField: 'balanceChanges' },
    payloadFields: { sequence: 'sequence', delta: 'delta', balance: 'balance', kind: 'kind' },
    liveEntities: {
      member: { type: 'Member', idFrom: 'memberId' },
      entry: {
        type: 'LedgerEntry',
        idFrom: 'entryId',
        fromEvent: {
          id: 'entryId',
          type: 'entryType',
          kind: 'kind',
          points: 'delta',
          balanceAfter: 'balance',
          sequence: 'sequence',
          createdAt: 'createdAt',
        },
      },
    },
  }),
  defineChannel({
    field: 'pointsExpiring',
    sdl: `"Warnings before a member's points expire (admins may omit memberId to watch every member)."
  pointsExpiring(memberId: ID): ExpiryWarning!`,
    returnType: 'ExpiryWarning',
    topic: Topics.pointsExpiring,
    memberOf: (p) => str(p.memberId),
    requires: ['ExpiryWarning', 'Query.member'],
    resolution: {
      kind: 'project',
      entityFields: { member: { type: 'Member', rootField: 'member', key: 'memberId' } },
    },
  }),
  defineChannel({
    field: 'redemptionStatusChanged',
    sdl: `"A member's redemptions changing status (admins may omit memberId to watch every member)."
  redemptionStatusChanged(memberId: ID): RedemptionStatusChange!`,
    returnType: 'RedemptionStatusChange',
    topic: Topics.redemptionStatusChanged,
    memberOf: (p) => str(p.memberId),
    requires: ['RedemptionStatusChange', 'Query.redemption'],
    resolution: {
      kind: 'project',
      entityFields: { redemption: { type: 'Redemption', rootField: 'redemption', key: 'redemptionId' } },
    },
  }),
  defineChannel({
    field: 'referralRewarded',
    sdl: `"Referral rewards, on the inviter's stream (admins may omit memberId to watch every member)."
  referralRewarded(memberId: ID): ReferralRewarded!`,
    returnType: 'ReferralRewarded',
    topic: Topics.referralRewarded,
    memberOf: (p) => str(p.inviterId),
    requires: ['ReferralRewarded', 'Query.referral'],
    resolution: {
      kind: 'project',
      entityFields: { referral: { type: 'Referral', rootField: 'referral', key: 'referralId' } },
    },
  }),
  defineChannel({
    field: 'noticeReceived',
    sdl: `"Every new notice of a member, live. Members get their own; an admin names the member (or omits it to watch every member)."
  noticeReceived(memberId: ID): Notice!`,
    returnType: 'Notice',
    topic: Topics.noticeCreated,
    memberOf: (p) => str(p.memberId),
    requires: ['Notice', 'Member.notices'],
    resolution: { kind: 'project', entityFields: {} },
    localize: (p, language) => ({ ...p, ...(p.texts[language] ?? p.texts.en) }),
  }),
];

/** True when every type and field a channel needs is in the API schema. */
export function channelAvailable(channel: Channel, schema: GraphQLSchema): boolean {
  return channel.requires.every((req) => {
    const [typeName, fieldName] = req.split('.');
    const type = schema.getType(typeName);
    if (!type) return false;
    if (!fieldName) return true;
    return 'getFields' in type && fieldName in type.getFields();
  });
}
