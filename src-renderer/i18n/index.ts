import { createI18n } from 'vue-i18n'

/**
 * The renderer's one i18n layer (vue-i18n): every word a screen shows comes from
 * `locales/<locale>/<area>.json`, one file per area of the app, each holding one top-level
 * key (its area), so the files of a locale merge without collisions. English is the source;
 * every other locale has exactly the same keys and placeholders (test/renderer/i18n.test.ts,
 * and eslint's vue-i18n rules). The CLI stays English and does not use this.
 * Message syntax: `{name}` is a placeholder; `@`, `{`, `}` and `|` are written `{'@'}` etc.
 */

export const LOCALES = [
  { code: 'en', name: 'English' },
  { code: 'pt-BR', name: 'Português (Brasil)' },
] as const
export type Locale = (typeof LOCALES)[number]['code']
/** What the person chose in Settings: a locale, or the system's language. */
export type LanguagePreference = Locale | 'system'

export type Messages = Record<string, unknown>

const files = import.meta.glob<Messages>('./locales/*/*.json', { eager: true, import: 'default' })

/** Each locale's messages: its area files merged (each file's top-level key is its own area). */
export function localeMessages(): Record<Locale, Messages> {
  const out = { en: {}, 'pt-BR': {} } as Record<Locale, Messages>
  for (const [path, messages] of Object.entries(files)) {
    const locale = /\/locales\/([^/]+)\//.exec(path)?.[1] as Locale | undefined
    if (locale && locale in out) Object.assign(out[locale], messages)
  }
  return out
}

/** Every message of `messages` by its dotted key ("secrets.page.add"). */
export function flattenMessages(messages: Messages, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  for (const [key, value] of Object.entries(messages)) {
    const path = prefix ? `${prefix}.${key}` : key
    if (typeof value === 'string') out.set(path, value)
    else for (const [k, v] of flattenMessages(value as Messages, path)) out.set(k, v)
  }
  return out
}

/** The locale for the system's languages (navigator.languages): Portuguese → pt-BR, else English. */
export function systemLocale(languages: readonly string[] = typeof navigator === 'undefined' ? [] : navigator.languages): Locale {
  for (const language of languages) {
    const lower = language.toLowerCase()
    if (lower.startsWith('pt')) return 'pt-BR'
    if (lower.startsWith('en')) return 'en'
  }
  return 'en'
}

const PREFERENCE_KEY = 'keyhold.language'

/** The stored choice (the renderer's own storage: the language is needed before the vault is unlocked). */
export function languagePreference(): LanguagePreference {
  try {
    const stored = globalThis.localStorage?.getItem(PREFERENCE_KEY)
    return stored === 'system' || LOCALES.some((l) => l.code === stored) ? (stored as LanguagePreference) : 'system'
  } catch {
    return 'system'
  }
}

const resolve = (preference: LanguagePreference): Locale => (preference === 'system' ? systemLocale() : preference)

export const i18n = createI18n({
  legacy: false,
  locale: resolve(languagePreference()),
  fallbackLocale: 'en',
  messages: localeMessages() as never,
  // A missing key is a defect the tests catch; at run time it falls back to English quietly.
  missingWarn: false,
  fallbackWarn: false,
})

/**
 * Translates in scripts (stores, composables, computed values); templates use `$t` or `t` from
 * useI18n(). Read inside a computed or a render, it follows a change of language.
 * `plural` picks the branch of a "one | many" message ({n} is the count).
 */
export function t(key: string, named: Record<string, unknown> = {}, plural?: number): string {
  // vue-i18n's own overloads of t are too deep for TypeScript here; this is the form we use.
  const translate = (i18n.global as unknown as { t: (key: string, named: Record<string, unknown>, plural?: number) => string }).t
  return plural === undefined ? translate(key, named) : translate(key, { n: plural, ...named }, plural)
}

/** The locale in use now (its words, and <html lang>). */
export function currentLocale(): Locale {
  return i18n.global.locale.value as Locale
}

/**
 * The locale for dates and numbers: the system's own variant when it speaks the same language
 * (English in en-GB writes "5 Mar 2026, 22:29"), else the app's language itself.
 */
export function formattingLocale(languages: readonly string[] = typeof navigator === 'undefined' ? [] : navigator.languages): string {
  const locale = currentLocale()
  const language = locale.slice(0, 2)
  return languages.find((l) => l.toLowerCase().slice(0, 2) === language && Intl.DateTimeFormat.supportedLocalesOf(l).length > 0) ?? locale
}

/** Applies and stores the person's choice. */
export function setLanguagePreference(preference: LanguagePreference): void {
  try {
    globalThis.localStorage?.setItem(PREFERENCE_KEY, preference)
  } catch {
    // Storage refused (private mode): the choice holds for this window only.
  }
  applyLocale(resolve(preference))
}

/** Switches the locale now, without storing it (tests, and the stored preference at start). */
export function applyLocale(locale: Locale): void {
  i18n.global.locale.value = locale
  if (typeof document !== 'undefined') document.documentElement.lang = locale
}
