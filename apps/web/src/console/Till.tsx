import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '../shared/ErrorNotice';
import {
  FulfillRedemption,
  LookUpMember,
  RecordPurchase,
  RedeemForMember,
  RefundPurchase,
} from './operations';

/** Yuan as typed by a cashier ("12.5") to minor units (1250). */
function toMinor(yuan: string): number {
  return Math.round(Number(yuan) * 100);
}

function field(form: FormData, name: string): string {
  return String(form.get(name) ?? '').trim();
}

/** The partner's till: purchases and refunds, member look-up, redemptions with the member's code. */
export function Till() {
  const { t } = useTranslation();
  const [purchase, record] = useMutation(RecordPurchase);
  const [refund, doRefund] = useMutation(RefundPurchase);
  const [redemption, redeem] = useMutation(RedeemForMember);
  const [fulfilled, fulfill] = useMutation(FulfillRedemption);
  const [memberId, setMemberId] = useState('');
  const [member] = useQuery({ query: LookUpMember, variables: { id: memberId }, pause: !memberId });

  const onPurchase = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const amount = toMinor(field(f, 'amount'));
    const green = f.get('green') === 'on';
    void record({
      input: {
        merchantId: field(f, 'merchantId'),
        memberId: field(f, 'memberId'),
        orderId: field(f, 'orderId'),
        amount,
        items: [{ sku: 'till', amount, green }],
      },
    });
  };
  const onRefund = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const amount = field(f, 'amount');
    void doRefund({
      input: {
        merchantId: field(f, 'merchantId'),
        orderId: field(f, 'orderId'),
        refundId: field(f, 'refundId'),
        ...(amount ? { amount: toMinor(amount) } : {}),
      },
    });
  };
  const onLookUp = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setMemberId(field(new FormData(e.currentTarget), 'memberId'));
  };
  const onRedeem = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    void redeem({
      input: {
        rewardId: field(f, 'rewardId'),
        memberId: field(f, 'memberId'),
        memberCode: field(f, 'memberCode'),
        quantity: 1,
        idempotencyKey: crypto.randomUUID(),
      },
    });
  };
  const redeemed = redemption.data?.redeemReward;

  return (
    <div className="grid2">
      <section className="card" aria-labelledby="purchase">
        <h2 id="purchase">{t('recordPurchase')}</h2>
        <form onSubmit={onPurchase}>
          <label>
            {t('merchantId')} <input name="merchantId" required />
          </label>
          <label>
            {t('memberId')} <input name="memberId" required />
          </label>
          <label>
            {t('orderId')} <input name="orderId" required />
          </label>
          <label>
            {t('amount')} <input name="amount" inputMode="decimal" required />
          </label>
          <label>
            <input name="green" type="checkbox" /> {t('green_item')}
          </label>
          <button type="submit" disabled={purchase.fetching}>
            {t('recordPurchase')}
          </button>
        </form>
        <ErrorNotice error={purchase.error} />
        {purchase.data && (
          <>
            <h3>{t('awarded')}</h3>
            <ul className="plain" data-testid="awards">
              {purchase.data.recordPurchase.awards.map((a, i) => (
                <li key={i}>
                  <span>{a.reason}</span>
                  <span className="positive">
                    +{a.points} {t(`kind_${a.kind}`)}
                  </span>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
      <section className="card" aria-labelledby="refund">
        <h2 id="refund">{t('refund')}</h2>
        <form onSubmit={onRefund}>
          <label>
            {t('merchantId')} <input name="merchantId" required />
          </label>
          <label>
            {t('orderId')} <input name="orderId" required />
          </label>
          <label>
            {t('refundId')} <input name="refundId" required />
          </label>
          <label>
            {t('amount')} <input name="amount" inputMode="decimal" />
          </label>
          <button type="submit" disabled={refund.fetching}>
            {t('refund')}
          </button>
        </form>
        <ErrorNotice error={refund.error} />
        {refund.data && (
          <ul className="plain" data-testid="reversals">
            {refund.data.refundPurchase.reversals.map((r, i) => (
              <li key={i}>
                <span>{t('refunded')}</span>
                <span className="negative">
                  {r.points} {t(`kind_${r.kind}`)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="card" aria-labelledby="lookup">
        <h2 id="lookup">{t('lookUp')}</h2>
        <form onSubmit={onLookUp}>
          <label>
            {t('memberId')} <input name="memberId" required />
          </label>
          <button type="submit">{t('lookUp')}</button>
        </form>
        <ErrorNotice error={member.error} />
        {member.data?.member && (
          <p data-testid="member">
            {member.data.member.displayName} · {member.data.member.phone ?? '—'} · {member.data.member.tier} ·{' '}
            {member.data.member.balances.map((b) => `${b.available} ${t(`kind_${b.kind}`)}`).join(' / ')}
          </p>
        )}
      </section>
      <section className="card" aria-labelledby="redeem">
        <h2 id="redeem">{t('redeemForMember')}</h2>
        <form onSubmit={onRedeem}>
          <label>
            {t('rewardId')} <input name="rewardId" required />
          </label>
          <label>
            {t('memberId')} <input name="memberId" required />
          </label>
          <label>
            {t('memberCodeInput')} <input name="memberCode" inputMode="numeric" />
          </label>
          <button type="submit" disabled={redemption.fetching}>
            {t('redeemForMember')}
          </button>
        </form>
        <ErrorNotice error={redemption.error} />
        {redeemed && (
          <p data-testid="redeemed">
            {t('redeemed', { id: redeemed.id, status: t(`status_${redeemed.status}`) })}{' '}
            {redeemed.status !== 'FULFILLED' && (
              <button
                type="button"
                onClick={() => void fulfill({ id: redeemed.id })}
                disabled={fulfilled.fetching}
              >
                {t('status_FULFILLED')}
              </button>
            )}
          </p>
        )}
        <ErrorNotice error={fulfilled.error} />
        {fulfilled.data && <p>{t(`status_${fulfilled.data.fulfillRedemption.status}`)}</p>}
      </section>
    </div>
  );
}
