import { useMemo, useState, type FormEvent } from 'react';
import { Provider } from 'urql';
import { useTranslation } from 'react-i18next';
import { createGraphClient } from '../shared/client';
import { LanguageSwitch } from '../shared/LanguageSwitch';
import { loadSession, saveSession, type StoredSession } from '../shared/session';
import { Office } from './Office';
import { Till } from './Till';

const SESSION_KEY = 'loyalty.console.session';

/** Shop staff sign in with their merchant's API key; the operator with an admin token. */
export function ConsoleApp() {
  const { t, i18n } = useTranslation();
  const [session, setSession] = useState<StoredSession | null>(() => loadSession(SESSION_KEY));
  const [tab, setTab] = useState<'till' | 'office'>('till');
  const [secret, setSecret] = useState('');
  const client = useMemo(
    () => createGraphClient(session?.accessToken ?? null, i18n.language),
    [session?.accessToken, i18n.language],
  );
  const update = (next: StoredSession | null) => {
    saveSession(SESSION_KEY, next);
    setSession(next);
  };
  const signIn = (e: FormEvent) => {
    e.preventDefault();
    if (secret.trim()) update({ accessToken: secret.trim() });
  };
  return (
    <Provider value={client}>
      <header className="bar">
        <h1>{t('consoleTitle')}</h1>
        {session && (
          <nav className="tabs" aria-label={t('consoleTitle')}>
            <button
              type="button"
              aria-current={tab === 'till' ? 'page' : undefined}
              onClick={() => setTab('till')}
            >
              {t('till')}
            </button>
            <button
              type="button"
              aria-current={tab === 'office' ? 'page' : undefined}
              onClick={() => setTab('office')}
            >
              {t('office')}
            </button>
            <button type="button" onClick={() => update(null)}>
              {t('signOut')}
            </button>
          </nav>
        )}
        <LanguageSwitch />
      </header>
      <main>
        {!session ? (
          <section className="card" aria-labelledby="console-sign-in">
            <h2 id="console-sign-in">{t('signIn')}</h2>
            <form onSubmit={signIn}>
              <label>
                {t('apiKeyOrToken')}
                <input
                  name="secret"
                  type="password"
                  autoComplete="off"
                  value={secret}
                  onChange={(e) => setSecret(e.target.value)}
                  required
                />
              </label>
              <button type="submit">{t('signIn')}</button>
            </form>
          </section>
        ) : tab === 'till' ? (
          <Till />
        ) : (
          <Office token={session.accessToken} />
        )}
      </main>
    </Provider>
  );
}
