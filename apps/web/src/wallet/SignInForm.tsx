import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '../shared/ErrorNotice';
import type { StoredSession } from '../shared/session';
import { RequestSignInCode, SignIn } from './operations';

/** Passwordless sign-in: a phone number or email, then the 6-digit code sent to it. */
export function SignInForm({ onSignedIn }: { onSignedIn(session: StoredSession): void }) {
  const { t } = useTranslation();
  const [contact, setContact] = useState('');
  const [code, setCode] = useState('');
  const [challenge, setChallenge] = useState<{ id: string; devCode?: string | null } | null>(null);
  const [requested, request] = useMutation(RequestSignInCode);
  const [signedIn, signIn] = useMutation(SignIn);

  const ask = async (e: FormEvent) => {
    e.preventDefault();
    const value = contact.trim();
    const result = await request(value.includes('@') ? { email: value } : { phone: value });
    if (result.data) setChallenge(result.data.requestSignInCode);
  };
  const confirm = async (e: FormEvent) => {
    e.preventDefault();
    if (!challenge) return;
    const result = await signIn({ challengeId: challenge.id, code: code.trim() });
    const session = result.data?.signIn;
    if (session) {
      onSignedIn({
        accessToken: session.accessToken,
        refreshToken: session.refreshToken,
        memberId: session.member.id,
      });
    }
  };

  return (
    <section className="card" aria-labelledby="sign-in">
      <h2 id="sign-in">{t('signIn')}</h2>
      <form onSubmit={ask}>
        <label>
          {t('phoneOrEmail')}
          <input
            name="contact"
            autoComplete="tel"
            value={contact}
            onChange={(e) => setContact(e.target.value)}
            required
          />
        </label>
        <button type="submit" disabled={requested.fetching}>
          {t('sendCode')}
        </button>
      </form>
      <ErrorNotice error={requested.error} />
      {challenge && (
        <form onSubmit={confirm}>
          <p className="muted">{t('codeSent')}</p>
          {challenge.devCode && <p data-testid="dev-code">{t('devCode', { code: challenge.devCode })}</p>}
          <label>
            {t('code')}
            <input
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{6}"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              required
            />
          </label>
          <button type="submit" disabled={signedIn.fetching}>
            {t('signIn')}
          </button>
        </form>
      )}
      <ErrorNotice error={signedIn.error} />
    </section>
  );
}
