import { corsPolicy } from '../src/http/cors';

describe('corsPolicy', () => {
  it('allows any local origin outside production when CORS_ORIGINS is unset', () => {
    const policy = corsPolicy(undefined, false);
    expect(policy.allows('http://localhost:5173')).toBe(true);
    expect(policy.allows('http://127.0.0.1')).toBe(true);
    expect(policy.allows('http://localhost.evil.example')).toBe(false);
    expect(policy.allows('https://localhost:5173')).toBe(false);
    expect(policy.allows('https://app.example.com')).toBe(false);
  });

  it('allows nothing in production until CORS_ORIGINS is set', () => {
    expect(corsPolicy(undefined, true).allows('http://localhost:5173')).toBe(false);
    expect(corsPolicy('', true).allows('http://localhost:5173')).toBe(false);
  });

  it('allows exactly the listed origins (case and trailing slash aside), or any with *', () => {
    const policy = corsPolicy('https://wallet.example.com, https://Console.example.com/', true);
    expect(policy.allows('https://wallet.example.com')).toBe(true);
    expect(policy.allows('https://console.example.com')).toBe(true);
    expect(policy.allows('https://wallet.example.com.evil.example')).toBe(false);
    expect(policy.allows('http://localhost:5173')).toBe(false);
    expect(corsPolicy('*', true).allows('https://anything.example')).toBe(true);
  });
});
