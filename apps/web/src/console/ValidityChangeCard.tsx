import type { FormEvent } from 'react';
import { useMutation } from 'urql';
import { useTranslation } from 'react-i18next';
import { formatDate } from '../shared/i18n';
import { ErrorNotice } from '../shared/ErrorNotice';
import { ScheduleValidityChange } from './operations';

/** A change of how long points stay valid, announced to every affected member (at least 30 days ahead). */
export function ValidityChangeCard() {
  const { t, i18n } = useTranslation();
  const [scheduled, schedule] = useMutation(ScheduleValidityChange);
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    void schedule({
      input: {
        validity: String(f.get('validity')),
        effectiveAt: new Date(String(f.get('effectiveAt'))).toISOString(),
        reason: String(f.get('reason')),
      },
    });
  };
  return (
    <section className="card" aria-labelledby="validity">
      <h2 id="validity">{t('validity')}</h2>
      <form onSubmit={onSubmit}>
        <label>
          {t('validityValue')} <input name="validity" required />
        </label>
        <label>
          {t('effective')} <input name="effectiveAt" type="date" required />
        </label>
        <label>
          {t('reason')} <input name="reason" required />
        </label>
        <button type="submit" disabled={scheduled.fetching}>
          {t('schedule')}
        </button>
      </form>
      <ErrorNotice error={scheduled.error} />
      {scheduled.data && (
        <p data-testid="validity-scheduled">
          {t('scheduled', {
            validity: scheduled.data.scheduleValidityChange.validity,
            date: formatDate(scheduled.data.scheduleValidityChange.effectiveAt, i18n.language),
          })}
        </p>
      )}
    </section>
  );
}
