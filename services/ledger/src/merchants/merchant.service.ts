import { In, type EntityManager } from 'typeorm';
import type { MerchantNamed, Transactor } from '@loyalty/platform';
import type { MembersClient } from '../peers/members.client';
import { MerchantNameRow } from './merchant.entity';

/** The ledger's copy of merchant names (see MerchantNameRow). */
export class MerchantNames {
  constructor(
    private readonly transactor: Transactor,
    private readonly members: Pick<MembersClient, 'merchantNames'>,
  ) {}

  /**
   * Applies a `merchant.created`/`merchant.renamed` event: the newest `namedAt` wins, so an event
   * that arrives late, twice or after an on-demand copy leaves the newest name in place.
   */
  static async record(manager: EntityManager, event: MerchantNamed): Promise<void> {
    const namedAt = new Date(event.namedAt);
    await manager
      .createQueryBuilder()
      .insert()
      .into(MerchantNameRow)
      .values({ id: event.merchantId, name: event.name, namedAt })
      .orIgnore()
      .execute();
    await manager
      .createQueryBuilder()
      .update(MerchantNameRow)
      .set({ name: event.name, namedAt })
      .where('id = :id AND (namedAt IS NULL OR namedAt <= :namedAt)', { id: event.merchantId, namedAt })
      .execute();
  }

  /**
   * Names of many merchants in one read; those the ledger has no copy of (created before it
   * listened, or whose event is still on its way) are asked of the members service in one call
   * and kept. Null: the members service does not know the merchant either.
   */
  async names(ids: readonly string[]): Promise<(string | null)[]> {
    const rows = await this.transactor.read((m) => m.findBy(MerchantNameRow, { id: In([...ids]) }));
    const known = new Map(rows.map((r) => [r.id, r.name]));
    const missing = ids.filter((id) => !known.has(id));
    if (missing.length > 0) {
      const names = await this.members.merchantNames(missing);
      const found = missing.flatMap((id, i) =>
        names[i] === null ? [] : [{ id, name: names[i]!, namedAt: null }],
      );
      if (found.length > 0) {
        // Insert only: an event written meanwhile has the newer name.
        await this.transactor.run(({ manager }) =>
          manager.createQueryBuilder().insert().into(MerchantNameRow).values(found).orIgnore().execute(),
        );
        for (const f of found) known.set(f.id, f.name);
      }
    }
    return ids.map((id) => known.get(id) ?? null);
  }
}
