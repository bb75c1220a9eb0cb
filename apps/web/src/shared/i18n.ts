import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './messages.en';
import { zhCN } from './messages.zh-CN';

export const LANGUAGES = ['en', 'zh-CN'] as const;
export type Language = (typeof LANGUAGES)[number];

/**
 * The programme runs in China: dates are shown in its time zone, whatever the device's, so that
 * "expires on the 3rd" means the same day to the member, the till and the operator.
 */
export const PROGRAMME_TIME_ZONE = 'Asia/Shanghai';

const STORAGE_KEY = 'loyalty.language';

/** The browser's choice unless the person switched; Chinese for any zh-* locale. */
export function initialLanguage(): Language {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === 'en' || saved === 'zh-CN') return saved;
  return navigator.languages.some((l) => l.toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en';
}

export function setLanguage(language: Language): void {
  localStorage.setItem(STORAGE_KEY, language);
  document.documentElement.lang = language;
  void i18next.changeLanguage(language);
}

export function initI18n(): Language {
  const language = initialLanguage();
  document.documentElement.lang = language;
  void i18next.use(initReactI18next).init({
    lng: language,
    fallbackLng: 'en',
    resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
    interpolation: { escapeValue: false },
  });
  return language;
}

export function formatDateTime(iso: string, language: string): string {
  return new Intl.DateTimeFormat(language, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: PROGRAMME_TIME_ZONE,
  }).format(new Date(iso));
}

export function formatDate(iso: string, language: string): string {
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeZone: PROGRAMME_TIME_ZONE }).format(
    new Date(iso),
  );
}

/** Minor units (fen) as yuan. */
export function formatMoney(minor: number, language: string): string {
  return new Intl.NumberFormat(language, { style: 'currency', currency: 'CNY' }).format(minor / 100);
}
