import { randomUUID } from 'node:crypto';
import {
  alignToKeys,
  BadInputError,
  checkText,
  EntityReader,
  NotFoundError,
  Topics,
  type TokenService,
  type Transactor,
} from '@loyalty/platform';
import { MerchantRow } from './merchant.entity';
import type { CreateMerchantInput } from './merchant.input';

export class MerchantService {
  private readonly rows: EntityReader<MerchantRow>;

  constructor(
    private readonly transactor: Transactor,
    private readonly tokens: TokenService,
  ) {
    this.rows = new EntityReader(transactor, MerchantRow);
  }

  async create(input: CreateMerchantInput): Promise<MerchantRow> {
    const name = checkText(input.name, 'name', 100);
    return this.transactor.run(async ({ manager, publish }) => {
      const row = manager.create(MerchantRow, {
        id: randomUUID(),
        name,
        category: input.category,
        createdAt: new Date(),
      });
      await manager.insert(MerchantRow, row);
      await publish({
        topic: Topics.merchantCreated,
        key: row.id,
        payload: { merchantId: row.id, name, namedAt: row.createdAt.toISOString() },
      });
      return row;
    });
  }

  /**
   * Renames a merchant and tells the services that keep a copy of its name (`merchant.renamed`).
   * Not in the public graph yet (the contract has no rename): operators' tooling calls it.
   */
  async rename(id: string, newName: string): Promise<MerchantRow> {
    const name = checkText(newName, 'name', 100);
    return this.transactor.run(async ({ manager, publish }) => {
      const row = await manager.findOneBy(MerchantRow, { id });
      if (!row) throw new NotFoundError('Merchant', id);
      row.name = name;
      await manager.update(MerchantRow, { id }, { name });
      await publish({
        topic: Topics.merchantRenamed,
        key: id,
        payload: { merchantId: id, name, namedAt: new Date().toISOString() },
      });
      return row;
    });
  }

  /** Newest first, keyset-paginated on (createdAt, id). */
  async list(limit: number, after: { t: number; id: string } | null): Promise<MerchantRow[]> {
    if (after && (!Number.isFinite(after.t) || typeof after.id !== 'string'))
      throw new BadInputError('Invalid cursor', 'after');
    return this.transactor.read((m) => {
      const qb = m.createQueryBuilder(MerchantRow, 'x');
      if (after) {
        qb.where('(x.createdAt < :at OR (x.createdAt = :at AND x.id > :id))', {
          at: new Date(after.t),
          id: after.id,
        });
      }
      return qb.orderBy('x.createdAt', 'DESC').addOrderBy('x.id', 'ASC').limit(limit).getMany();
    });
  }

  async byIds(ids: readonly string[]): Promise<(MerchantRow | null)[]> {
    return alignToKeys(ids, await this.rows.whereIn('id', ids), (r) => r.id);
  }

  /** API credentials for a partner: a partner token bound to the merchant. */
  async issuePartnerToken(merchantId: string, validDays: number): Promise<string> {
    if (!Number.isInteger(validDays) || validDays < 1 || validDays > 366) {
      throw new BadInputError('validDays must be between 1 and 366', 'validDays');
    }
    const [merchant] = await this.byIds([merchantId]);
    if (!merchant) throw new NotFoundError('Merchant', merchantId);
    return this.tokens.sign({ role: 'partner', sub: `partner:${merchantId}`, merchantId }, `${validDays}d`);
  }
}
