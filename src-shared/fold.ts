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
