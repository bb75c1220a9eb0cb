import type { FormEvent } from 'react';
import { useMutation } from 'urql';
import { ErrorNotice } from '../shared/ErrorNotice';
import { ScheduleValidityChange } from './operations';

/** A change of how long points stay valid, announced to every affected member (at least 30 days ahead). */
export function ValidityChangeCard() {
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
      <h2 id="validity">Points validity</h2>
      <form onSubmit={onSubmit}>
        <label>
          Validity (ISO-8601, e.g. P2Y) <input name="validity" required />
        </label>
        <label>
          Effective <input name="effectiveAt" type="date" required />
        </label>
        <label>
          Reason <input name="reason" required />
        </label>
        <button type="submit" disabled={scheduled.fetching}>
          Schedule
        </button>
      </form>
      <ErrorNotice error={scheduled.error} />
      {scheduled.data && (
        <p data-testid="validity-scheduled">
          {scheduled.data.scheduleValidityChange.validity} ·{' '}
          {scheduled.data.scheduleValidityChange.effectiveAt}
        </p>
      )}
    </section>
  );
}
