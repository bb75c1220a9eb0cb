import { useMutation, useQuery } from 'urql';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '../shared/ErrorNotice';
import { formatMoney } from '../shared/i18n';
import { Redeem, Rewards } from './operations';

interface Props {
  balances: { kind: string; available: number }[];
  onRedeemed(): void;
}

/** Active rewards within the member's balance of the reward's kind of points. */
export function RewardsCard({ balances, onRedeemed }: Props) {
  const { t, i18n } = useTranslation();
  const [rewards] = useQuery({ query: Rewards });
  const [redeemed, redeem] = useMutation(Redeem);
  const available = (kind: string) => balances.find((b) => b.kind === kind)?.available ?? 0;
  const affordable =
    rewards.data?.rewards.edges
      .map((e) => e.node)
      .filter((r) => r.active && r.stock !== 0 && r.pointsPrice <= available(r.pointKind)) ?? [];
  const buy = async (rewardId: string) => {
    const result = await redeem({ input: { rewardId, quantity: 1, idempotencyKey: crypto.randomUUID() } });
    if (result.data) onRedeemed();
  };
  return (
    <section className="card" aria-labelledby="rewards">
      <h2 id="rewards">{t('rewards')}</h2>
      <ErrorNotice error={rewards.error} />
      {affordable.length === 0 && !rewards.fetching && <p className="muted">{t('noRewards')}</p>}
      <ul className="plain">
        {affordable.map((r) => (
          <li key={r.id} data-testid="reward">
            <span>
              {r.name}
              {r.merchant && <small className="muted"> · {r.merchant.name}</small>}
            </span>
            <span>
              {t('pointsUnit', { points: r.pointsPrice })}
              {r.cashPrice > 0 && ` + ${formatMoney(r.cashPrice, i18n.language)}`}{' '}
              <button type="button" onClick={() => void buy(r.id)} disabled={redeemed.fetching}>
                {t('redeem')}
              </button>
            </span>
          </li>
        ))}
      </ul>
      <ErrorNotice error={redeemed.error} />
    </section>
  );
}
