import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '../shared/ErrorNotice';
import { AddPriceRule, CreateReward, DelistReward, OfficeRewards } from './operations';

const DAY = 86_400_000;

/** The catalog from the office: rewards, a time-limited price, and withdrawing a reward. */
export function RewardsCard() {
  const { t } = useTranslation();
  const [rewards, refetch] = useQuery({ query: OfficeRewards });
  const [created, create] = useMutation(CreateReward);
  const [priced, addPrice] = useMutation(AddPriceRule);
  const [delisted, delist] = useMutation(DelistReward);
  const [selected, setSelected] = useState('');
  const refresh = () => refetch({ requestPolicy: 'network-only' });

  const onCreate = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const merchantId = String(f.get('merchantId') ?? '').trim();
    const result = await create({
      input: {
        name: String(f.get('name')),
        kind: 'GOODS',
        pointsPrice: Number(f.get('pointsPrice')),
        ...(merchantId ? { merchantId } : {}),
      },
    });
    if (result.data) refresh();
  };
  const onPrice = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const days = Number(f.get('days'));
    const result = await addPrice({
      rewardId: selected,
      input: {
        label: String(f.get('label')),
        pointsPrice: Number(f.get('pointsPrice')),
        startsAt: new Date().toISOString(),
        endsAt: new Date(Date.now() + days * DAY).toISOString(),
      },
    });
    if (result.data) refresh();
  };
  const onDelist = async () => {
    const result = await delist({ id: selected, reason: t('delistReason') });
    if (result.data) refresh();
  };
  return (
    <section className="card" aria-labelledby="office-rewards">
      <h2 id="office-rewards">{t('rewardsTitle')}</h2>
      <ErrorNotice error={rewards.error} />
      <label>
        {t('rewardId')}{' '}
        <select value={selected} onChange={(e) => setSelected(e.target.value)}>
          <option value="">—</option>
          {rewards.data?.rewards.edges.map(({ node }) => (
            <option key={node.id} value={node.id}>
              {node.name} · {t('pointsUnit', { points: node.pointsPrice })}
              {node.active ? '' : ` · ${t('inactive')}`}
            </option>
          ))}
        </select>
      </label>
      <form onSubmit={(e) => void onPrice(e)}>
        <label>
          {t('priceLabel')} <input name="label" required />
        </label>
        <label>
          {t('pointsPrice')} <input name="pointsPrice" inputMode="numeric" required />
        </label>
        <label>
          {t('days')} <input name="days" inputMode="numeric" defaultValue="7" required />
        </label>
        <button type="submit" disabled={!selected || priced.fetching}>
          {t('addPriceRule')}
        </button>{' '}
        <button type="button" className="secondary" disabled={!selected} onClick={() => void onDelist()}>
          {t('delist')}
        </button>
      </form>
      <ErrorNotice error={priced.error} />
      <ErrorNotice error={delisted.error} />
      <h3>{t('createReward')}</h3>
      <form onSubmit={(e) => void onCreate(e)}>
        <label>
          {t('campaignName')} <input name="name" required />
        </label>
        <label>
          {t('merchantId')} <input name="merchantId" />
        </label>
        <label>
          {t('pointsPrice')} <input name="pointsPrice" inputMode="numeric" required />
        </label>
        <button type="submit" disabled={created.fetching}>
          {t('createReward')}
        </button>
      </form>
      <ErrorNotice error={created.error} />
    </section>
  );
}
