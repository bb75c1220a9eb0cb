import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { ErrorCode, type RunningService } from '@loyalty/platform';
import type { LedgerApp } from '@loyalty/ledger';
import { testConfig } from '@loyalty/testing';
import { useGraph } from '../support/graph';
import { ledgerClient } from '../ledger/helpers';
import { parseCsv } from './support/csv';

const BULK = 60_000;

const errorOf = async (res: Response) =>
  ((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0];
const COLUMNS =
  'createdAt,entryId,memberId,sequence,kind,type,points,balanceAfter,merchantId,campaignId,sourceType,sourceId,holdId,expiresAt,actor,description';

describe('audit export: a streamed CSV download through the gateway', () => {
  let api: ReturnType<typeof ledgerClient>;
  const { graph, tokens } = useGraph(testConfig({ EXPIRY_SWEEP_INTERVAL: 'PT1H' }), (g) => {
    api = ledgerClient(g);
  });
  const ledger = () => graph().services.ledger as RunningService<LedgerApp>;
  const exportUrl = (query = '') => `${graph().url.replace(/\/graphql$/, '/exports/audit.csv')}${query}`;
  const download = (query: string, token?: string) =>
    fetch(exportUrl(query), { headers: token ? { authorization: `Bearer ${token}` } : {} });

  const bulkMember = randomUUID();
  const base = Date.UTC(2029, 0, 1);
  let tricky: string;

  beforeAll(async () => {
    // Volume: more rows than the GraphQL field may return, written straight into the trail.
    const ds = ledger().runtime.db.dataSource;
    for (let i = 0; i < BULK; i += 500) {
      const values: string[] = [];
      const params: Record<string, unknown> = {};
      for (let j = i; j < Math.min(BULK, i + 500); j += 1) {
        values.push(
          `(:id${j}, :member, :seq${j}, 'REGULAR', 'EARN', 1, :seq${j}, 'bulk', :merchant, 'service:test', :at${j})`,
        );
        params[`id${j}`] = randomUUID();
        params[`seq${j}`] = j + 1;
        params[`at${j}`] = new Date(base + j * 1000);
      }
      const [sql, p] = ds.driver.escapeQueryWithParameters(
        `INSERT INTO ledger_entries (id, memberId, sequence, kind, type, points, balanceAfter, description, merchantId, actor, createdAt) VALUES ${values.join(', ')}`,
        { ...params, member: bulkMember, merchant: 'bulk-shop' },
      );
      await ds.query(sql, p);
    }
    // Text that needs quoting or would run as a spreadsheet formula, through the real write path.
    tricky = await api.member('Csv');
    const credit = await api.credit({
      memberId: tricky,
      points: 5,
      merchantId: 'tricky-shop',
      reason: '=HYPERLINK("http://evil"), "quoted"\nsecond line',
    });
    expect(credit.errors).toBeUndefined();
    await api.credit({
      memberId: tricky,
      points: 7,
      merchantId: 'other-shop',
      kind: 'GREEN',
      reason: '@SUM(A1)',
    });
  }, 120_000);

  it('streams every row of a large trail with a header row, newest first', async () => {
    const res = await download('?merchantId=bulk-shop', tokens.admin());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toContain('attachment');
    const rows = parseCsv(await res.text());
    expect(rows[0].join(',')).toBe(COLUMNS);
    expect(rows).toHaveLength(BULK + 1);
    const seq = rows.slice(1).map((r) => Number(r[3]));
    expect(seq[0]).toBe(BULK);
    expect(seq[seq.length - 1]).toBe(1);
    expect(new Set(rows.slice(1).map((r) => r[1])).size).toBe(BULK);
    expect(seq.every((s, i) => i === 0 || s === seq[i - 1] - 1)).toBe(true);
  }, 60_000);

  it('quotes and defuses text as the GraphQL CSV does', async () => {
    const res = await download(`?memberId=${tricky}`, tokens.admin());
    const text = await res.text();
    const rows = parseCsv(text);
    expect(rows).toHaveLength(3);
    const byKind = new Map(rows.slice(1).map((r) => [r[4], r]));
    expect(byKind.get('REGULAR')![15]).toBe('\'=HYPERLINK("http://evil"), "quoted"\nsecond line');
    expect(byKind.get('GREEN')![15]).toBe("'@SUM(A1)");
    expect(text).toContain('"\'=HYPERLINK(""http://evil""), ""quoted""\nsecond line"');
    const graphqlCsv = await api.gql(
      'query($f: LedgerAuditFilter) { ledgerAuditCsv(filter: $f) }',
      { f: { memberId: tricky } },
      tokens.admin(),
    );
    expect(graphqlCsv.data!.ledgerAuditCsv).toBe(text);
  });

  it('applies every filter', async () => {
    const count = async (query: string) =>
      parseCsv(await (await download(query, tokens.admin())).text()).length - 1;
    const from = new Date(base + 100 * 1000).toISOString();
    const to = new Date(base + 350 * 1000).toISOString();
    expect(await count(`?memberId=${bulkMember}&from=${from}&to=${to}`)).toBe(250);
    expect(await count(`?merchantId=bulk-shop&to=${from}`)).toBe(100);
    expect(await count(`?memberId=${tricky}&kind=GREEN`)).toBe(1);
    expect(await count(`?memberId=${tricky}&type=EARN&kind=REGULAR`)).toBe(1);
    expect(await count(`?memberId=${tricky}&type=REDEEM`)).toBe(0);
    expect(await count(`?merchantId=tricky-shop`)).toBe(1);
  });

  it('lets a partner download only its own merchant, and nobody else', async () => {
    const own = await download('', tokens.partner('tricky-shop'));
    expect(own.status).toBe(200);
    const rows = parseCsv(await own.text());
    expect(rows.slice(1).map((r) => r[8])).toEqual(['tricky-shop']);
    const other = await download('?merchantId=bulk-shop', tokens.partner('tricky-shop'));
    expect(other.status).toBe(403);
    expect((await errorOf(other)).extensions.code).toBe(ErrorCode.FORBIDDEN);
    const member = await download('', tokens.member(tricky));
    expect(member.status).toBe(403);
    const anonymous = await download('');
    expect(anonymous.status).toBe(401);
    expect((await errorOf(anonymous)).extensions.code).toBe(ErrorCode.UNAUTHENTICATED);
  });

  it('refuses bad parameters with BAD_USER_INPUT', async () => {
    for (const query of [
      '?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z',
      '?from=yesterday',
      '?kind=GOLD',
      '?type=STEAL',
      '?merchant=typo',
      '?memberId=a&memberId=b',
    ]) {
      const res = await download(query, tokens.admin());
      expect([query, res.status]).toEqual([query, 400]);
      expect((await errorOf(res)).extensions.code).toBe(ErrorCode.BAD_USER_INPUT);
    }
    const post = await fetch(exportUrl(), {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.admin()}` },
    });
    expect(post.status).toBe(405);
  });

  it('stops reading when the client goes away, and keeps serving', async () => {
    const url = new URL(exportUrl('?merchantId=bulk-shop'));
    await new Promise<void>((resolve, reject) => {
      const req = request(url, { headers: { authorization: `Bearer ${tokens.admin()}` } }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (e) => (req.destroyed ? resolve() : reject(e)));
      req.end();
    });
    const again = await download(`?memberId=${tricky}`, tokens.admin());
    expect(parseCsv(await again.text())).toHaveLength(3);
  });
});
