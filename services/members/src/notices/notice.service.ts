import { In, IsNull, LessThan } from 'typeorm';
import {
  BadInputError,
  LANGUAGES,
  Topics,
  type Language,
  type NewEvent,
  type NoticeText,
  type Transactor,
  type UnitOfWork,
} from '@loyalty/platform';
import { MerchantRow } from '../merchants/merchant.entity';
import { NoticeRow } from './notice.entity';
import { merchantOf, wordNotice, type NoticeFacts, type NoticeKind } from './notice.rules';

/** A notice to give one member, once per cause. */
export interface NoticeDraft {
  memberId: string;
  causeKey: string;
  facts: NoticeFacts;
}

/** A notice as the graph serves it, worded in one language. */
export interface NoticeView {
  id: string;
  kind: NoticeKind;
  title: string;
  body: string;
  createdAt: Date;
  readAt: Date | null;
}

/** Most ids one `markNoticesRead` takes. */
export const MAX_MARK_READ = 100;

/** Members a broadcast's live events are written for per statement. */
const BROADCAST_PAGE = 1000;

const factsOf = (row: NoticeRow): NoticeFacts => JSON.parse(row.facts) as NoticeFacts;

/**
 * The one notice inbox (T5). Consumers of other services' events give members notices here, each
 * exactly once per (member, cause): the inbox drops a redelivered event, and the unique cause key
 * drops the same cause arriving as another event. Every new notice is published as
 * `notice.created` (with its text in every language) for the gateway's `noticeReceived`.
 */
export class NoticeService {
  constructor(
    private readonly transactor: Transactor,
    private readonly timeZone: string,
  ) {}

  /** Gives one member a notice, unless this cause already gave them one (inside the consumer's transaction). */
  async give(uow: UnitOfWork, draft: NoticeDraft, now = new Date()): Promise<boolean> {
    const { manager } = uow;
    if (await manager.existsBy(NoticeRow, { memberId: draft.memberId, causeKey: draft.causeKey }))
      return false;
    const row = manager.create(NoticeRow, {
      memberId: draft.memberId,
      kind: draft.facts.kind,
      causeKey: draft.causeKey,
      facts: JSON.stringify(draft.facts),
      createdAt: now,
      readAt: null,
    });
    await manager.insert(NoticeRow, row);
    const merchantId = merchantOf(draft.facts);
    const merchant = merchantId ? await manager.findOneBy(MerchantRow, { id: merchantId }) : null;
    await uow.publish(this.createdEvent(row, draft.facts, merchant?.name ?? null));
    return true;
  }

  /**
   * Gives every member (personal data not erased) a notice of one cause, set-based: one
   * INSERT … SELECT for the rows, then one read and one outbox insert per thousand members for the
   * live events — never a query per member. Members who already have it are skipped.
   */
  async broadcast(uow: UnitOfWork, causeKey: string, facts: NoticeFacts, now = new Date()): Promise<number> {
    const { manager } = uow;
    const meta = manager.connection.getMetadata(NoticeRow);
    const column = (name: string) => meta.findColumnWithPropertyName(name)!;
    const driver = manager.connection.driver;
    const { max } = (await manager
      .createQueryBuilder(NoticeRow, 'n')
      .select('MAX(n.id)', 'max')
      .getRawOne<{ max: number | string | null }>()) ?? { max: null };
    const before = Number(max ?? 0);
    const q = (name: string) => driver.escape(name);
    await manager.query(
      `INSERT INTO ${q('member_notices')} (${q('memberId')}, ${q('kind')}, ${q('causeKey')}, ${q('facts')}, ${q('createdAt')})
       SELECT m.${q('id')}, ?, ?, ?, ? FROM ${q('members')} m
       WHERE m.${q('erasedAt')} IS NULL AND NOT EXISTS (
         SELECT 1 FROM ${q('member_notices')} n WHERE n.${q('memberId')} = m.${q('id')} AND n.${q('causeKey')} = ?)`,
      [
        facts.kind,
        causeKey,
        JSON.stringify(facts),
        driver.preparePersistentValue(now, column('createdAt')),
        causeKey,
      ],
    );
    const texts = this.texts(facts, null);
    let after = before;
    let given = 0;
    for (;;) {
      const rows = await manager
        .createQueryBuilder(NoticeRow, 'n')
        .select(['n.id', 'n.memberId'])
        .where('n.causeKey = :causeKey AND n.id > :after', { causeKey, after })
        .orderBy('n.id', 'ASC')
        .limit(BROADCAST_PAGE)
        .getMany();
      if (!rows.length) return given;
      given += rows.length;
      after = rows[rows.length - 1].id;
      await uow.publish(
        ...rows.map((r) =>
          this.event({ id: r.id, memberId: r.memberId, kind: facts.kind, createdAt: now }, texts),
        ),
      );
      if (rows.length < BROADCAST_PAGE) return given;
    }
  }

  /** A member's notices, newest first (keyset on id). `first + 1` rows: the extra tells whether more exist. */
  async list(
    memberId: string,
    first: number,
    afterId: number | null,
    unreadOnly: boolean,
  ): Promise<NoticeRow[]> {
    return this.transactor.read((m) =>
      m.find(NoticeRow, {
        where: {
          memberId,
          ...(afterId !== null ? { id: LessThan(afterId) } : {}),
          ...(unreadOnly ? { readAt: IsNull() } : {}),
        },
        order: { id: 'DESC' },
        take: first + 1,
      }),
    );
  }

  /**
   * Marks the member's own unread notices among `ids` read; ids of other members' notices (or of
   * none) change nothing. Returns how many changed.
   */
  async markRead(memberId: string, ids: readonly string[], now = new Date()): Promise<number> {
    if (ids.length > MAX_MARK_READ) throw new BadInputError(`at most ${MAX_MARK_READ} ids`, 'ids');
    const numeric = ids.map((id) => (/^[1-9][0-9]{0,9}$/.test(id) ? Number(id) : NaN));
    if (numeric.some((n) => !Number.isSafeInteger(n))) throw new BadInputError('not a notice id', 'ids');
    if (!numeric.length) return 0;
    return this.transactor.run(async ({ manager }) => {
      const result = await manager.update(
        NoticeRow,
        { memberId, id: In([...new Set(numeric)]), readAt: IsNull() },
        { readAt: now },
      );
      return result.affected ?? 0;
    });
  }

  /** Notices worded in `language`, naming merchants with one query for the whole page. */
  async view(rows: readonly NoticeRow[], language: Language): Promise<NoticeView[]> {
    const facts = rows.map(factsOf);
    const ids = [...new Set(facts.map(merchantOf).filter((id): id is string => id !== null))];
    const names = ids.length
      ? new Map(
          (await this.transactor.read((m) => m.findBy(MerchantRow, { id: In(ids) }))).map((r) => [
            r.id,
            r.name,
          ]),
        )
      : new Map<string, string>();
    return rows.map((row, i) => {
      const merchantId = merchantOf(facts[i]);
      const text = wordNotice(facts[i], {
        language,
        timeZone: this.timeZone,
        merchantName: merchantId ? (names.get(merchantId) ?? null) : null,
      });
      return {
        id: String(row.id),
        kind: row.kind as NoticeKind,
        ...text,
        createdAt: row.createdAt,
        readAt: row.readAt,
      };
    });
  }

  private texts(facts: NoticeFacts, merchantName: string | null): Record<string, NoticeText> {
    return Object.fromEntries(
      LANGUAGES.map((language) => [
        language,
        wordNotice(facts, { language, timeZone: this.timeZone, merchantName }),
      ]),
    );
  }

  private createdEvent(row: NoticeRow, facts: NoticeFacts, merchantName: string | null): NewEvent {
    return this.event(row, this.texts(facts, merchantName));
  }

  private event(
    row: Pick<NoticeRow, 'id' | 'memberId' | 'kind' | 'createdAt'>,
    texts: Record<string, NoticeText>,
  ): NewEvent<typeof Topics.noticeCreated> {
    return {
      topic: Topics.noticeCreated,
      key: row.memberId,
      payload: {
        id: String(row.id),
        memberId: row.memberId,
        kind: row.kind,
        createdAt: row.createdAt.toISOString(),
        readAt: null,
        texts,
      },
    };
  }
}
