import '../shared/style.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { initI18n } from '../shared/i18n';
import { ToastProvider } from '../shared/Toasts';
import { WalletApp } from './WalletApp';

initI18n();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ToastProvider>
      <WalletApp />
    </ToastProvider>
  </StrictMode>,
);
