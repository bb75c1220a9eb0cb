import { useMutation, useQuery } from 'urql';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '../shared/ErrorNotice';
import { formatDateTime } from '../shared/i18n';
import { useLiveEvents } from '../shared/live';
import { useToast } from '../shared/Toasts';
import { MarkNoticesRead, NoticeLive, Notices } from './operations';

export function NoticesCard() {
  const { t, i18n } = useTranslation();
  const [notices, refetch] = useQuery({ query: Notices });
  const [, markRead] = useMutation(MarkNoticesRead);
  const toast = useToast();
  // Each new notice pops up at once and joins the list.
  useLiveEvents(NoticeLive, ({ noticeReceived }) => {
    toast(noticeReceived.title);
    refetch({ requestPolicy: 'network-only' });
  });
  const list = notices.data?.me?.notices.edges.map((e) => e.node) ?? [];
  const unread = list.filter((n) => !n.readAt).map((n) => n.id);
  return (
    <section className="card" aria-labelledby="notices">
      <h2 id="notices">{t('notices')}</h2>
      <ErrorNotice error={notices.error} />
      {list.length === 0 && <p className="muted">{t('noNotices')}</p>}
      <ul className="plain">
        {list.map((n) => (
          <li key={n.id} data-testid="notice" data-kind={n.kind}>
            <div>
              <strong>{n.title}</strong>
              <div>{n.body}</div>
              <small className="muted">{formatDateTime(n.createdAt, i18n.language)}</small>
            </div>
          </li>
        ))}
      </ul>
      {unread.length > 0 && (
        <button
          type="button"
          className="secondary"
          onClick={() =>
            void markRead({ ids: unread }).then(() => refetch({ requestPolicy: 'network-only' }))
          }
        >
          {t('markRead')}
        </button>
      )}
    </section>
  );
}
