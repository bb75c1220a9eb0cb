import { randomUUID } from 'node:crypto';
import {
  alignToKeys,
  BadInputError,
  checkText,
  EntityReader,
  NotFoundError,
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
    return this.transactor.run(async ({ manager }) => {
      const row = manager.create(MerchantRow, {
        id: randomUUID(),
        name,
        category: input.category,
        createdAt: new Date(),
      });
      await manager.insert(MerchantRow, row);
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
