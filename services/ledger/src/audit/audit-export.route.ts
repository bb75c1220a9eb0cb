import type { ServerResponse } from 'node:http';
import { AppError, ErrorCode, type ServiceRoute } from '@loyalty/platform';
import { auditScope } from '../policy';
import { csvHeader, csvLine } from './audit-csv.rules';
import type { AuditPosition, AuditQueries } from './audit.queries';
import { parseAuditParams } from './audit-export.rules';

/** Where the ledger (and, proxied, the gateway) serves the download. */
export const AUDIT_EXPORT_PATH = '/exports/audit.csv';

/** Rows read per query: the most the download holds in memory at once. */
const PAGE = 1000;

const STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.BAD_USER_INPUT]: 400,
};

function refuse(res: ServerResponse, error: AppError): void {
  res.statusCode = STATUS[error.code] ?? 500;
  res.setHeader('content-type', 'application/json');
  if (error.code === ErrorCode.UNAUTHENTICATED) res.setHeader('www-authenticate', 'Bearer');
  res.end(JSON.stringify({ errors: [{ message: error.message, extensions: { code: error.code } }] }));
}

/**
 * `GET /exports/audit.csv?memberId=&merchantId=&kind=&type=&from=&to=` with the caller's token:
 * the audit trail as CSV (a header row, then entries newest first), of any size. Rows are read a
 * page at a time (keyset on createdAt, id) and the next page is read only once the client has
 * taken the previous one (backpressure), so memory stays flat however long the trail. Access is
 * the GraphQL field's: the operator, or a partner for its own merchant.
 */
export function auditExportRoute(queries: AuditQueries): ServiceRoute {
  return async (req, res, caller) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.statusCode = 405;
      res.setHeader('allow', 'GET, HEAD');
      res.end();
      return;
    }
    let filter;
    try {
      const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
      filter = auditScope(caller.principal, parseAuditParams(params));
    } catch (error) {
      if (error instanceof AppError) return refuse(res, error);
      throw error;
    }
    res.statusCode = 200;
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', 'attachment; filename="ledger-audit.csv"');
    res.setHeader('cache-control', 'no-store');
    if (req.method === 'HEAD') return void res.end();
    let closed = false;
    res.once('close', () => {
      closed = true;
    });
    const drained = () =>
      new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    const write = async (chunk: string) => {
      // A full socket buffer: wait until the client has read it (or gone) before reading more rows.
      if (!res.write(chunk) && !closed) await drained();
    };
    try {
      await write(csvHeader());
      let after: AuditPosition | null = null;
      while (!closed) {
        const rows = await queries.page(filter, PAGE, after);
        if (rows.length > 0) await write(rows.map(csvLine).join(''));
        if (rows.length < PAGE) break;
        const last = rows[rows.length - 1];
        after = { t: last.createdAt.getTime(), id: last.id };
      }
    } catch (error) {
      // Headers are gone: break the chunked body so that the client cannot take a cut-off file for a whole one.
      caller.logger.error({ err: error }, 'audit export failed');
      res.destroy(error as Error);
      return;
    }
    caller.logger.info({ filter, completed: !closed }, 'audit export');
    res.end();
  };
}
