import { useMemo, useState } from 'react';
import { Provider } from 'urql';
import { useTranslation } from 'react-i18next';
import { createGraphClient } from '../shared/client';
import { LanguageSwitch } from '../shared/LanguageSwitch';
import { loadSession, saveSession, type StoredSession } from '../shared/session';
import { Dashboard } from './Dashboard';
import { SignInForm } from './SignInForm';

const SESSION_KEY = 'loyalty.wallet.session';

/** The member wallet: sign in with a one-time code, then everything about one's points. */
export function WalletApp() {
  const { t, i18n } = useTranslation();
  const [session, setSession] = useState<StoredSession | null>(() => loadSession(SESSION_KEY));
  const client = useMemo(
    () => createGraphClient(session?.accessToken ?? null, i18n.language),
    [session?.accessToken, i18n.language],
  );
  const update = (next: StoredSession | null) => {
    saveSession(SESSION_KEY, next);
    setSession(next);
  };
  return (
    <Provider value={client}>
      <header className="bar">
        <h1>{t('balances')}</h1>
        <LanguageSwitch />
      </header>
      <main>
        {session ? <Dashboard session={session} onSession={update} /> : <SignInForm onSignedIn={update} />}
      </main>
    </Provider>
  );
}
