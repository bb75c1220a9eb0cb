import { randomUUID } from 'node:crypto';
import { In, type EntityManager } from 'typeorm';
import { EntryRow, EntryType } from '../entries/entry.entity';
import { assertMemberWrite, assertOptionalId, assertPoints, assertText } from '../ledger/ledger.rules';
import { writeForMember, type WriteDeps } from '../ledger/member-write';
import type { LotRow } from '../lots/lot.entity';
import { allocateUpTo } from '../lots/lot.rules';
import { ReversalRow } from './reversal.entity';
import { planReversal, proportionalReversal } from './reversal.rules';

export interface ReverseCommand {
  idempotencyKey: string;
  memberId: string;
  kind: string;
  sourceType: string;
  sourceId: string;
  reason: string;
  /** Points to take back; or give refundedAmount and purchaseAmount for a proportional reversal. */
  points?: number | null;
  refundedAmount?: number | null;
  purchaseAmount?: number | null;
  merchantId?: string | null;
}

export interface Reversal {
  entry: EntryRow | null;
  requested: number;
  reversed: number;
  shortfall: number;
}

/** Refunds: takes back what a source (a purchase) earned, recording what was already spent. */
export class ReversalService {
  constructor(private readonly deps: WriteDeps) {}

  /** Takes back what a source earned (a refund); never below zero, the shortfall is recorded. */
  async reverse(cmd: ReverseCommand, actor: string): Promise<Reversal> {
    const { key, memberId, kind } = assertMemberWrite(cmd);
    const sourceType = assertText(cmd.sourceType, 'sourceType', 40);
    const sourceId = assertText(cmd.sourceId, 'sourceId', 100);
    const reason = assertText(cmd.reason, 'reason');
    const merchantId = assertOptionalId(cmd.merchantId, 'merchantId');
    const explicit = cmd.points ?? null;
    if (explicit !== null) assertPoints(explicit);
    else {
      assertPoints(cmd.purchaseAmount, 'purchaseAmount');
      assertPoints(cmd.refundedAmount, 'refundedAmount');
    }
    return writeForMember(this.deps, {
      key,
      operation: 'reverse',
      params: {
        memberId,
        kind,
        sourceType,
        sourceId,
        reason,
        merchantId,
        points: explicit,
        refundedAmount: cmd.refundedAmount ?? null,
        purchaseAmount: cmd.purchaseAmount ?? null,
      },
      memberId,
      actor,
      load: loadReversal,
      work: async (posting, uow) => {
        const m = uow.manager;
        const earnedRow = await m
          .createQueryBuilder(EntryRow, 'e')
          .select('COALESCE(SUM(e.points), 0)', 'total')
          .where('e.memberId = :memberId AND e.kind = :kind AND e.type = :type', {
            memberId,
            kind,
            type: EntryType.EARN,
          })
          .andWhere('e.sourceType = :sourceType AND e.sourceId = :sourceId', { sourceType, sourceId })
          .getRawOne<{ total: string | number }>();
        const askedRow = await m
          .createQueryBuilder(ReversalRow, 'r')
          .select('COALESCE(SUM(r.requested), 0)', 'total')
          .where('r.memberId = :memberId AND r.kind = :kind', { memberId, kind })
          .andWhere('r.sourceType = :sourceType AND r.sourceId = :sourceId', { sourceType, sourceId })
          .getRawOne<{ total: string | number }>();
        const earned = Number(earnedRow?.total ?? 0);
        const asked = Number(askedRow?.total ?? 0);
        const requested =
          explicit !== null
            ? Math.max(0, Math.min(explicit, earned - asked))
            : proportionalReversal(earned, cmd.refundedAmount!, cmd.purchaseAmount!, asked);
        const lots = await posting.openLots(kind);
        const { takes, taken } = allocateUpTo(
          lots,
          requested,
          (lot) => (lot as LotRow).sourceType === sourceType && (lot as LotRow).sourceId === sourceId,
        );
        const { reversed, shortfall } = planReversal(requested, taken);
        let entry: EntryRow | null = null;
        if (reversed > 0) {
          entry = posting.post({
            kind,
            type: EntryType.REVERSE,
            points: -reversed,
            description: shortfall > 0 ? `${reason} (${shortfall} points already spent)` : reason,
            merchantId,
            sourceType,
            sourceId,
          });
          await posting.moveLots(entry, takes, -1);
        } else if (shortfall > 0) {
          // Everything asked for was already spent: a zero-point entry keeps the refund in the
          // member's trail (L1, L9) — the balance cannot go below zero, the record must not be missing.
          entry = posting.post({
            kind,
            type: EntryType.REVERSE,
            points: 0,
            description: `${reason} (${shortfall} points already spent: none taken back)`,
            merchantId,
            sourceType,
            sourceId,
          });
        }
        const row = m.create(ReversalRow, {
          id: randomUUID(),
          memberId,
          kind,
          sourceType,
          sourceId,
          requested,
          reversed,
          shortfall,
          entryId: entry?.id ?? null,
          createdAt: posting.now,
        });
        await m.insert(ReversalRow, row);
        return { result: { entry, requested, reversed, shortfall }, ref: `reversal:${row.id}` };
      },
    });
  }
}

async function loadReversal(m: EntityManager, ref: string): Promise<Reversal> {
  const row = await m.findOneByOrFail(ReversalRow, { id: ref.slice('reversal:'.length) });
  const entry = row.entryId ? await m.findOneBy(EntryRow, { id: In([row.entryId]) }) : null;
  return { entry, requested: row.requested, reversed: row.reversed, shortfall: row.shortfall };
}
