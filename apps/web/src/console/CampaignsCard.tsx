import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '../shared/ErrorNotice';
import { Campaigns, CreateCampaign, PreviewPurchase } from './operations';

const PREVIEW_AMOUNT = 10000;

/** Campaigns, and while one is being set up, what a sample purchase would earn under the live rules. */
export function CampaignsCard() {
  const { t } = useTranslation();
  const [campaigns, refetch] = useQuery({ query: Campaigns });
  const [created, create] = useMutation(CreateCampaign);
  const [merchantId, setMerchantId] = useState('');
  // Rules depend on who buys (tier, first order), so the preview is for a real member.
  const [memberId, setMemberId] = useState('');
  const [preview, refreshPreview] = useQuery({
    query: PreviewPurchase,
    variables: {
      input: { merchantId, memberId, orderId: 'preview', amount: PREVIEW_AMOUNT },
    },
    pause: !merchantId || !memberId,
    requestPolicy: 'network-only',
  });
  const onCreate = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const multiplier = String(f.get('multiplier') ?? '');
    const bonus = String(f.get('bonusPoints') ?? '');
    const result = await create({
      input: {
        name: String(f.get('name')),
        startsAt: new Date(String(f.get('startsAt'))).toISOString(),
        ...(merchantId ? { merchantId } : {}),
        ...(multiplier ? { multiplier: Number(multiplier) } : {}),
        ...(bonus ? { bonusPoints: Number(bonus) } : {}),
      },
    });
    if (result.data) {
      refetch({ requestPolicy: 'network-only' });
      refreshPreview({ requestPolicy: 'network-only' });
    }
  };
  return (
    <section className="card" aria-labelledby="campaigns">
      <h2 id="campaigns">{t('campaigns')}</h2>
      <ul className="plain">
        {campaigns.data?.campaigns.map((c) => (
          <li key={c.id} data-testid="campaign">
            <span>{c.name}</span>
            <small className="muted">{c.terms}</small>
          </li>
        ))}
      </ul>
      <h3>{t('createCampaign')}</h3>
      <form onSubmit={(e) => void onCreate(e)}>
        <label>
          {t('campaignName')} <input name="name" required />
        </label>
        <label>
          {t('merchantId')}{' '}
          <input name="merchantId" value={merchantId} onChange={(e) => setMerchantId(e.target.value)} />
        </label>
        <label>
          {t('previewMember')}{' '}
          <input
            name="previewMemberId"
            value={memberId}
            onChange={(e) => setMemberId(e.target.value.trim())}
          />
        </label>
        <label>
          {t('startsAt')} <input name="startsAt" type="datetime-local" required />
        </label>
        <label>
          {t('multiplier')} <input name="multiplier" inputMode="decimal" />
        </label>
        <label>
          {t('bonusPoints')} <input name="bonusPoints" inputMode="numeric" />
        </label>
        <button type="submit" disabled={created.fetching}>
          {t('createCampaign')}
        </button>
      </form>
      <ErrorNotice error={created.error} />
      <ErrorNotice error={preview.error} />
      {preview.data && (
        <div data-testid="preview">
          <h3>{t('preview', { amount: '¥100' })}</h3>
          <ul className="plain">
            {preview.data.previewPurchase.map((a, i) => (
              <li key={i}>
                <span>{a.reason}</span>
                <span className="positive">
                  +{a.points} {t(`kind_${a.kind}`)}
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
