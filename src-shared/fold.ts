/**
 * The one comparison key for names, Identifiers, tags and search text: trimmed, NFC, and
 * case-folded (upper then lower, so "ß" and "SS" meet). Identifier uniqueness, sorting and
 * search must all use this, or a duplicate could slip past the unique index.
 */
export function fold(text: string): string {
  return foldText(text.trim())
}

/**
 * fold() without the trim, for many values joined by control characters and folded in one
 * call (the search index's build): the case mapping and NFC leave those separators alone.
 */
export function foldText(text: string): string {
  return text.normalize('NFC').toUpperCase().toLowerCase()
}

/** Made on first use: ICU's collation data takes ~10 ms to load, which a CLI command that sorts nothing should not pay. */
let names: Intl.Collator | undefined

/**
 * Natural order of names for lists sorted in memory (roles, tags): "Service 5" before
 * "Service 49", ignoring case and accents. Lists that page in SQL sort by a stored key that
 * gives the same order (nameSortKey in src-main/core/secrets/secrets.sort-key.ts).
 */
export const compareNames = (a: string, b: string): number => (names ??= new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })).compare(a, b)
