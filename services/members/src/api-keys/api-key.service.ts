import { randomUUID } from 'node:crypto';
import { IsNull } from 'typeorm';
import {
  API_KEY_VISIBLE_CHARS,
  BadInputError,
  hashApiKeySecret,
  newApiKeySecret,
  NotFoundError,
  Topics,
  type ApiKeyRecord,
  type Transactor,
} from '@loyalty/platform';
import { MerchantRow } from '../merchants/merchant.entity';
import { PartnerApiKeyRow } from './api-key.entity';
import type { ApiKeyUsage } from './api-key.usage';

/** Partner API keys: created with a secret shown once, revoked for good, looked up by hash. */
export class ApiKeyService {
  constructor(
    private readonly transactor: Transactor,
    private readonly usage: ApiKeyUsage,
  ) {}

  async create(
    merchantId: string,
    name: string,
    createdBy: string,
  ): Promise<{ row: PartnerApiKeyRow; secret: string }> {
    const trimmed = name.trim();
    if (trimmed.length < 1 || trimmed.length > 100)
      throw new BadInputError('name must be 1 to 100 characters', 'name');
    const secret = newApiKeySecret();
    const row = await this.transactor.run(async ({ manager }) => {
      if (!(await manager.existsBy(MerchantRow, { id: merchantId })))
        throw new NotFoundError('Merchant', merchantId);
      const key = manager.create(PartnerApiKeyRow, {
        id: randomUUID(),
        merchantId,
        name: trimmed,
        prefix: secret.slice(0, API_KEY_VISIBLE_CHARS),
        secretHash: hashApiKeySecret(secret),
        createdAt: new Date(),
        lastUsedAt: null,
        revokedAt: null,
        createdBy,
      });
      await manager.insert(PartnerApiKeyRow, key);
      return key;
    });
    return { row, secret };
  }

  async byId(id: string): Promise<PartnerApiKeyRow | null> {
    return this.transactor.read((m) => m.findOneBy(PartnerApiKeyRow, { id }));
  }

  /** Newest first, revoked ones included (the merchant's record of its credentials). */
  async list(merchantId: string): Promise<PartnerApiKeyRow[]> {
    return this.transactor.read((m) =>
      m.find(PartnerApiKeyRow, { where: { merchantId }, order: { createdAt: 'DESC', id: 'DESC' } }),
    );
  }

  /**
   * Revokes a key (idempotent: a revoked key stays as it was). The event tells every process to
   * forget the key at once; their cache TTL bounds the delay if it were lost.
   */
  async revoke(key: PartnerApiKeyRow): Promise<PartnerApiKeyRow> {
    if (key.revokedAt) return key;
    return this.transactor.run(async ({ manager, publish }) => {
      const revokedAt = new Date();
      const result = await manager.update(
        PartnerApiKeyRow,
        { id: key.id, revokedAt: IsNull() },
        { revokedAt },
      );
      if (!result.affected) return manager.findOneByOrFail(PartnerApiKeyRow, { id: key.id });
      await publish({
        topic: Topics.partnerApiKeyRevoked,
        key: key.id,
        payload: { keyId: key.id, merchantId: key.merchantId, revokedAt: revokedAt.toISOString() },
      });
      return { ...key, revokedAt };
    });
  }

  /** The live key with this secret hash, for authentication; each answer counts as a use. */
  async lookup(secretHash: string): Promise<ApiKeyRecord | null> {
    const row = await this.transactor.read((m) => m.findOneBy(PartnerApiKeyRow, { secretHash }));
    if (!row || row.revokedAt) return null;
    this.usage.note(row.id, new Date());
    return { keyId: row.id, merchantId: row.merchantId };
  }
}
