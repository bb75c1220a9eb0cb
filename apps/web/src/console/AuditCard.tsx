import { useState, type FormEvent } from 'react';
import { useQuery } from 'urql';
import { useTranslation } from 'react-i18next';
import type { LedgerAuditFilter } from '../gql/graphql';
import { ErrorNotice } from '../shared/ErrorNotice';
import { formatDateTime } from '../shared/i18n';
import { Audit } from './operations';

/** Query parameters of the streamed CSV export: the same filter as the table. */
function exportUrl(filter: LedgerAuditFilter): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) if (value) params.set(key, String(value));
  return `/exports/audit.csv?${params.toString()}`;
}

/** The audit trail with filters, and the same rows as a CSV download. */
export function AuditCard({ token }: { token: string }) {
  const { t, i18n } = useTranslation();
  const [filter, setFilter] = useState<LedgerAuditFilter>({});
  const [audit] = useQuery({ query: Audit, variables: { filter } });
  const onFilter = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const memberId = String(f.get('memberId') ?? '').trim();
    const merchantId = String(f.get('merchantId') ?? '').trim();
    setFilter({ ...(memberId ? { memberId } : {}), ...(merchantId ? { merchantId } : {}) });
  };
  // The export is a plain GET with the caller's token, streamed by the server; the browser saves it.
  const download = async () => {
    const res = await fetch(exportUrl(filter), { headers: { authorization: `Bearer ${token}` } });
    const blob = await res.blob();
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = 'ledger-audit.csv';
    link.click();
    URL.revokeObjectURL(link.href);
  };
  return (
    <section className="card" aria-labelledby="audit">
      <h2 id="audit">{t('audit')}</h2>
      <form onSubmit={onFilter}>
        <label>
          {t('memberId')} <input name="memberId" />
        </label>
        <label>
          {t('merchantId')} <input name="merchantId" />
        </label>
        <button type="submit">{t('audit')}</button>{' '}
        <button type="button" className="secondary" onClick={() => void download()}>
          {t('downloadCsv')}
        </button>
      </form>
      <ErrorNotice error={audit.error} />
      <ul className="plain">
        {audit.data?.ledgerAudit.edges.map(({ node }) => (
          <li key={node.id} data-testid="audit-entry">
            <span>
              {node.type} · {node.description}
              {node.merchant && <small className="muted"> · {node.merchant.name}</small>}
              <br />
              <small className="muted">{formatDateTime(node.createdAt, i18n.language)}</small>
            </span>
            <span className={node.points >= 0 ? 'positive' : 'negative'}>{node.points}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
