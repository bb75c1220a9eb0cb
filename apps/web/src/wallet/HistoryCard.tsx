import { useEffect, useRef, useState } from 'react';
import { useClient } from 'urql';
import { useTranslation } from 'react-i18next';
import type { HistoryQuery } from '../gql/graphql';
import { formatDateTime } from '../shared/i18n';
import { History } from './operations';

type Entry = NonNullable<HistoryQuery['me']>['history']['edges'][number]['node'];

const PAGE = 20;

/** The points trail, newest first, loading the next page as the member scrolls to the end. */
export function HistoryCard() {
  const { t, i18n } = useTranslation();
  const client = useClient();
  const [entries, setEntries] = useState<Entry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [hasMore, setHasMore] = useState(true);
  const [loading, setLoading] = useState(false);
  const sentinel = useRef<HTMLLIElement>(null);

  useEffect(() => {
    const node = sentinel.current;
    if (!node || !hasMore) return;
    const observer = new IntersectionObserver(async ([seen]) => {
      if (!seen?.isIntersecting || loading) return;
      setLoading(true);
      const result = await client
        .query(History, { first: PAGE, after: cursor }, { requestPolicy: 'network-only' })
        .toPromise();
      const page = result.data?.me?.history;
      if (page) {
        setEntries((list) => [...list, ...page.edges.map((e) => e.node)]);
        setCursor(page.pageInfo.endCursor ?? null);
        setHasMore(page.pageInfo.hasNextPage);
      } else {
        setHasMore(false);
      }
      setLoading(false);
    });
    observer.observe(node);
    return () => observer.disconnect();
  }, [client, cursor, hasMore, loading]);

  return (
    <section className="card" aria-labelledby="history">
      <h2 id="history">{t('history')}</h2>
      {!hasMore && entries.length === 0 && <p className="muted">{t('noHistory')}</p>}
      <ul className="plain">
        {entries.map((e) => (
          <li key={e.id} data-testid="entry">
            <span>
              {e.description}
              {e.merchant && <small className="muted"> · {e.merchant.name}</small>}
              <br />
              <small className="muted">{formatDateTime(e.createdAt, i18n.language)}</small>
            </span>
            <span className={e.points >= 0 ? 'positive' : 'negative'}>
              {e.points > 0 ? `+${e.points}` : e.points} {t(`kind_${e.kind}`)}
            </span>
          </li>
        ))}
        {hasMore && (
          <li ref={sentinel} className="muted">
            {t('loading')}
          </li>
        )}
      </ul>
    </section>
  );
}
