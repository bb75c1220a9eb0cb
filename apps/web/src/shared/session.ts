/** Where a signed-in identity is kept between page loads (this device only). */
export interface StoredSession {
  accessToken: string;
  refreshToken?: string;
  memberId?: string;
}

export function loadSession(key: string): StoredSession | null {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as StoredSession) : null;
  } catch {
    return null;
  }
}

export function saveSession(key: string, session: StoredSession | null): void {
  if (session) localStorage.setItem(key, JSON.stringify(session));
  else localStorage.removeItem(key);
}
