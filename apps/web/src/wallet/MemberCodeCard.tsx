import QRCode from 'qrcode';
import { useEffect, useState } from 'react';
import { useMutation } from 'urql';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '../shared/ErrorNotice';
import { IssueMemberCode } from './operations';

/** The one-time consent code for a partner's till, as a QR code and as text. */
export function MemberCodeCard() {
  const { t } = useTranslation();
  const [issued, issue] = useMutation(IssueMemberCode);
  const [image, setImage] = useState<string | null>(null);
  const code = issued.data?.issueMemberCode.code;
  useEffect(() => {
    if (code) void QRCode.toDataURL(code, { margin: 1, width: 200 }).then(setImage);
  }, [code]);
  return (
    <section className="card" aria-labelledby="member-code">
      <h2 id="member-code">{t('memberCode')}</h2>
      <p className="muted">{t('memberCodeHelp')}</p>
      {code && image && (
        <>
          <img className="qr" src={image} alt={code} />
          <p data-testid="member-code">
            <strong>{code}</strong>
          </p>
        </>
      )}
      <button type="button" onClick={() => void issue({})} disabled={issued.fetching}>
        {t('newMemberCode')}
      </button>
      <ErrorNotice error={issued.error} />
    </section>
  );
}
