import type { CombinedError } from 'urql';
import { useTranslation } from 'react-i18next';

const KNOWN = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'CONFLICT',
  'INSUFFICIENT_POINTS',
  'OUT_OF_STOCK',
  'LIMIT_REACHED',
  'SERVICE_UNAVAILABLE',
  'INTERNAL_SERVER_ERROR',
]);

/** The code behind a failed operation: the GraphQL error's `extensions.code`, or NETWORK. */
export function errorCode(error: CombinedError): string {
  const code = error.graphQLErrors[0]?.extensions?.code;
  if (typeof code === 'string' && KNOWN.has(code)) return code;
  return error.networkError ? 'NETWORK' : 'INTERNAL_SERVER_ERROR';
}

/** A failure in words, with its code in small print for support (never raw JSON). */
export function ErrorNotice({ error }: { error: CombinedError | undefined }) {
  const { t } = useTranslation();
  if (!error) return null;
  const code = errorCode(error);
  return (
    <p role="alert" className="error" data-code={code}>
      {t(`error_${code}`)} <small>({code})</small>
    </p>
  );
}
