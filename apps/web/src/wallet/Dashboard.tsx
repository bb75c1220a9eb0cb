import { useEffect } from 'react';
import { useMutation, useQuery } from 'urql';
import { useTranslation } from 'react-i18next';
import { ErrorNotice, errorCode } from '../shared/ErrorNotice';
import { formatDate } from '../shared/i18n';
import type { StoredSession } from '../shared/session';
import { useLiveEvents } from '../shared/live';
import { useToast } from '../shared/Toasts';
import { GreenImpactCard } from './GreenImpactCard';
import { HistoryCard } from './HistoryCard';
import { MemberCodeCard } from './MemberCodeCard';
import { NoticesCard } from './NoticesCard';
import { BalanceLive, ExpiryLive, RefreshSession, SignOut, Wallet } from './operations';
import { RewardsCard } from './RewardsCard';

interface Props {
  session: StoredSession;
  onSession(next: StoredSession | null): void;
}

export function Dashboard({ session, onSession }: Props) {
  const { t, i18n } = useTranslation();
  const toast = useToast();
  const [wallet, refetch] = useQuery({ query: Wallet });
  const [, refresh] = useMutation(RefreshSession);
  const [, signOut] = useMutation(SignOut);

  // An expired access token is renewed once with the single-use refresh token; a refused
  // refresh (retired or revoked) signs the member out.
  useEffect(() => {
    if (!wallet.error || errorCode(wallet.error) !== 'UNAUTHENTICATED') return;
    if (!session.refreshToken) return onSession(null);
    void refresh({ refreshToken: session.refreshToken }).then((r) => {
      const next = r.data?.refreshSession;
      onSession(
        next
          ? { accessToken: next.accessToken, refreshToken: next.refreshToken, memberId: next.member.id }
          : null,
      );
    });
  }, [wallet.error, session.refreshToken, refresh, onSession]);

  useLiveEvents(BalanceLive, ({ balanceChanged: change }) => {
    const kind = t(`kind_${change.kind}`);
    toast(t(change.delta >= 0 ? 'liveEarned' : 'liveSpent', { points: change.delta, kind }));
    refetch({ requestPolicy: 'network-only' });
  });
  useLiveEvents(ExpiryLive, ({ pointsExpiring: w }) => {
    toast(t('liveExpiring', { points: w.points, kind: t(`kind_${w.kind}`), days: w.daysLeft }));
  });

  const me = wallet.data?.me;
  const leave = async () => {
    if (session.refreshToken) await signOut({ refreshToken: session.refreshToken });
    onSession(null);
  };

  if (!me) {
    return (
      <section className="card">
        {wallet.fetching ? <p>{t('loading')}</p> : <ErrorNotice error={wallet.error} />}
      </section>
    );
  }
  return (
    <>
      <section className="card" aria-labelledby="balances">
        <h2 id="balances">
          {me.displayName} · {me.tier}
        </h2>
        <div className="balances">
          {me.balances.map((b) => (
            <div className="balance" key={b.kind} data-testid={`balance-${b.kind}`}>
              <span>{t(`kind_${b.kind}`)}</span>
              <strong>{b.available}</strong>
            </div>
          ))}
        </div>
        <h3>{t('expiringSoon')}</h3>
        {me.expiringPoints.length === 0 ? (
          <p className="muted">{t('nothingExpiring')}</p>
        ) : (
          <ul className="plain">
            {me.expiringPoints.map((e) => (
              <li key={`${e.kind}-${e.expiresAt}`}>
                {t('expiresOn', {
                  points: e.points,
                  kind: t(`kind_${e.kind}`),
                  date: formatDate(e.expiresAt, i18n.language),
                })}
              </li>
            ))}
          </ul>
        )}
        <button type="button" className="secondary" onClick={() => void leave()}>
          {t('signOut')}
        </button>
      </section>
      <div className="grid2">
        <MemberCodeCard />
        <NoticesCard />
      </div>
      <RewardsCard balances={me.balances} onRedeemed={() => refetch({ requestPolicy: 'network-only' })} />
      <section className="card" aria-labelledby="redemptions">
        <h2 id="redemptions">{t('redemptions')}</h2>
        <ul className="plain">
          {me.redemptions.edges.map(({ node }) => (
            <li key={node.id} data-testid="redemption">
              <span>{node.reward.name}</span>
              <span>
                {t('pointsUnit', { points: node.points })} · {t(`status_${node.status}`)}
              </span>
            </li>
          ))}
        </ul>
      </section>
      <section className="card" aria-labelledby="referral">
        <h2 id="referral">{t('referral')}</h2>
        <p>{t('referralCode', { code: me.referralCode })}</p>
        <p>
          {t('shareLink')}:{' '}
          <a href={`${window.location.origin}/wallet/?ref=${encodeURIComponent(me.referralCode)}`}>
            {`${window.location.origin}/wallet/?ref=${me.referralCode}`}
          </a>
        </p>
        <h3>{t('invitations')}</h3>
        <ul className="plain">
          {me.referrals.map((r) => (
            <li key={r.id}>
              <span>{r.invitee?.displayName ?? '—'}</span>
              <span>{r.status}</span>
            </li>
          ))}
        </ul>
      </section>
      <GreenImpactCard />
      <HistoryCard />
    </>
  );
}
