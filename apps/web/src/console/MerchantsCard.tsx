import { useQuery } from 'urql';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '../shared/ErrorNotice';
import { Merchants } from './operations';

export function MerchantsCard() {
  const { t } = useTranslation();
  const [merchants] = useQuery({ query: Merchants, variables: {} });
  return (
    <section className="card" aria-labelledby="merchants">
      <h2 id="merchants">{t('merchants')}</h2>
      <ErrorNotice error={merchants.error} />
      <ul className="plain">
        {merchants.data?.merchants.edges.map(({ node }) => (
          <li key={node.id}>
            <span>{node.name}</span>
            <small className="muted">
              {node.category} · {node.id}
            </small>
          </li>
        ))}
      </ul>
    </section>
  );
}
