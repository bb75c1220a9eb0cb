import { addDuration, BadInputError, forUpdate, requireDuration } from '@loyalty/platform';
import {
  assertId,
  assertIdempotencyKey,
  assertKind,
  assertOptionalText,
  assertText,
  resolveValidity,
} from '../ledger/ledger.rules';
import { writeForMember, type WriteDeps } from '../ledger/member-write';
import { LotChangeRow, LotRow } from './lot.entity';

export interface ExtendCommand {
  idempotencyKey: string;
  memberId: string;
  /** ISO-8601 duration added to each lot's expiry. */
  extendBy: string;
  reason: string;
  kind?: string | null;
  sourceType?: string | null;
  sourceId?: string | null;
  /** Instead of a source: every unexpired lot expiring before this moment. */
  expiringBefore?: Date | null;
}

/** Changes to lots themselves (validity extensions), each recorded in the lot's trail. */
export class LotService {
  constructor(private readonly deps: WriteDeps) {}

  /** Extends unexpired lots' expiry by a duration; each change is recorded in the lot trail. */
  async extendValidity(cmd: ExtendCommand, actor: string): Promise<number> {
    const key = assertIdempotencyKey(cmd.idempotencyKey);
    const memberId = assertId(cmd.memberId, 'memberId');
    const reason = assertText(cmd.reason, 'reason');
    const by = resolveValidity(cmd.extendBy, 'NEVER');
    const kind = cmd.kind ? assertKind(cmd.kind) : null;
    const sourceType = assertOptionalText(cmd.sourceType, 'sourceType', 40);
    const sourceId = assertOptionalText(cmd.sourceId, 'sourceId', 100);
    const before = cmd.expiringBefore ?? null;
    if ((sourceType === null || sourceId === null) && before === null) {
      throw new BadInputError('Give sourceType and sourceId, or expiringBefore', 'sourceType');
    }
    return writeForMember(this.deps, {
      key,
      operation: 'extend',
      params: { memberId, reason, by, kind, sourceType, sourceId, before },
      memberId,
      actor,
      load: async (_m, ref) => Number(ref.slice('count:'.length)),
      work: async (posting, uow) => {
        const qb = uow.manager
          .createQueryBuilder(LotRow, 'l')
          .where('l.memberId = :memberId AND l.remaining > 0 AND l.expiresAt > :now', {
            memberId,
            now: posting.now,
          });
        if (kind) qb.andWhere('l.kind = :kind', { kind });
        if (sourceType !== null && sourceId !== null) {
          qb.andWhere('l.sourceType = :sourceType AND l.sourceId = :sourceId', { sourceType, sourceId });
        }
        if (before) qb.andWhere('l.expiresAt < :before', { before });
        const lots = await forUpdate(qb).getMany();
        const duration = by === 'NEVER' ? null : requireDuration(by);
        for (const lot of lots) {
          const next = duration ? addDuration(lot.expiresAt!, duration) : null;
          await uow.manager.update(LotRow, { id: lot.id }, { expiresAt: next });
          await uow.manager.insert(LotChangeRow, {
            lotId: lot.id,
            oldExpiresAt: lot.expiresAt,
            newExpiresAt: next,
            reason,
            actor,
            changedAt: posting.now,
          });
        }
        return { result: lots.length, ref: `count:${lots.length}` };
      },
    });
  }
}
