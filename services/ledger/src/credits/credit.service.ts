import { BadInputError, orderedUuid } from '@loyalty/platform';
import { EntryRow, EntryType } from '../entries/entry.entity';
import {
  assertMemberWrite,
  assertOptionalId,
  assertOptionalText,
  assertPoints,
  assertSignedPoints,
  assertText,
  resolveValidity,
} from '../ledger/ledger.rules';
import { writeForMember, type WriteDeps } from '../ledger/member-write';
import { loadEntry } from '../ledger/posting';
import { allocate, expiryFor } from '../lots/lot.rules';

export interface CreditCommand {
  idempotencyKey: string;
  memberId: string;
  kind: string;
  points: number;
  reason: string;
  type?: EntryType.EARN | EntryType.COMPENSATE | null;
  /** ISO-8601 duration or NEVER; default POINTS_VALIDITY. */
  validity?: string | null;
  merchantId?: string | null;
  campaignId?: string | null;
  sourceType?: string | null;
  sourceId?: string | null;
}

export interface AdjustCommand {
  idempotencyKey: string;
  memberId: string;
  kind: string;
  points: number;
  reason: string;
  validity?: string | null;
}

/**
 * Credits (EARN, COMPENSATE) and operator adjustments. Every write: validate, check the member,
 * one idempotent transaction through the member's posting ({@link writeForMember}).
 */
export class CreditService {
  constructor(
    private readonly deps: WriteDeps,
    /** Validity of a credit that names none: an ISO-8601 duration or NEVER. */
    private readonly pointsValidity: string,
  ) {}

  /** EARN (default) or COMPENSATE: a new lot. */
  async credit(cmd: CreditCommand, actor: string): Promise<EntryRow> {
    const { key, memberId, kind } = assertMemberWrite(cmd);
    const points = assertPoints(cmd.points);
    const reason = assertText(cmd.reason, 'reason');
    const type = cmd.type ?? EntryType.EARN;
    if (type !== EntryType.EARN && type !== EntryType.COMPENSATE)
      throw new BadInputError('type must be EARN or COMPENSATE', 'type');
    const validity = resolveValidity(cmd.validity, this.pointsValidity);
    const merchantId = assertOptionalId(cmd.merchantId, 'merchantId');
    const campaignId = assertOptionalId(cmd.campaignId, 'campaignId');
    const sourceType = assertOptionalText(cmd.sourceType, 'sourceType', 40);
    const sourceId = assertOptionalText(cmd.sourceId, 'sourceId', 100);
    const params = {
      memberId,
      kind,
      points,
      reason,
      type,
      validity: cmd.validity ?? null,
      merchantId,
      campaignId,
      sourceType,
      sourceId,
    };
    // Drawn now so the idempotency key's row is complete when inserted (no update afterwards).
    const entryId = orderedUuid();
    return writeForMember(this.deps, {
      key,
      operation: 'credit',
      params,
      memberId,
      kinds: [kind],
      actor,
      ref: `entry:${entryId}`,
      deferrable: true,
      load: loadEntry,
      work: async (posting) => {
        const entry = posting.post({
          id: entryId,
          kind,
          type,
          points,
          description: reason,
          merchantId,
          campaignId,
          sourceType,
          sourceId,
          lotId: orderedUuid(),
          expiresAt: expiryFor(validity, posting.now),
        });
        await posting.createLot(entry);
        return { result: entry, ref: `entry:${entry.id}` };
      },
    });
  }

  /** Operator adjustment (signed): a credit is a new lot; a debit takes lots FIFO, never overdrawn. */
  async adjust(cmd: AdjustCommand, actor: string): Promise<EntryRow> {
    const write = assertMemberWrite(cmd);
    const key = `adjust:${write.key}`;
    const { memberId, kind } = write;
    const points = assertSignedPoints(cmd.points);
    const reason = assertText(cmd.reason, 'reason');
    const validity = resolveValidity(cmd.validity, this.pointsValidity);
    return writeForMember(this.deps, {
      key,
      operation: 'adjust',
      params: { memberId, kind, points, reason, validity: cmd.validity ?? null },
      memberId,
      actor,
      load: loadEntry,
      work: async (posting) => {
        if (points > 0) {
          const entry = posting.post({
            kind,
            type: EntryType.ADJUST,
            points,
            description: reason,
            lotId: orderedUuid(),
            expiresAt: expiryFor(validity, posting.now),
          });
          await posting.createLot(entry);
          return { result: entry, ref: `entry:${entry.id}` };
        }
        const lots = await posting.openLots(kind);
        const entry = posting.post({ kind, type: EntryType.ADJUST, points, description: reason });
        const takes = allocate(lots, -points);
        if (!takes) throw new Error(`lots of member ${memberId} do not cover the ${kind} balance`);
        await posting.moveLots(entry, takes, -1);
        return { result: entry, ref: `entry:${entry.id}` };
      },
    });
  }
}
