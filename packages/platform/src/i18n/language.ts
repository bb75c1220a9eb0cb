/** The languages member-facing text is written in (T5); English is the default. */
export const LANGUAGES = ['en', 'zh-CN'] as const;

/** One of {@link LANGUAGES}. */
export type Language = (typeof LANGUAGES)[number];

/**
 * The language to answer in for an `Accept-Language` header (RFC 9110: a list of tags with
 * optional `q` weights): the most preferred tag that is Chinese (`zh`, `zh-CN`, `zh-Hans`…) or
 * English; English when the header is absent or names neither.
 */
export function preferredLanguage(header: string | readonly string[] | null | undefined): Language {
  const text = Array.isArray(header) ? header.join(',') : ((header as string | null | undefined) ?? '');
  const ranked = text
    .split(',')
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/i.exec(p)).find(Boolean);
      return { tag: tag.trim().toLowerCase(), q: q ? Number(q[1]) : 1, index };
    })
    .filter((t) => t.tag && t.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    if (tag === 'zh' || tag.startsWith('zh-')) return 'zh-CN';
    if (tag === 'en' || tag.startsWith('en-')) return 'en';
  }
  return 'en';
}
