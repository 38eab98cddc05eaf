/**
 * The one comparison key for names, Identifiers, tags and search text: trimmed, NFC, and
 * case-folded (upper then lower, so "ß" and "SS" meet). Identifier uniqueness, sorting and
 * search must all use this, or a duplicate could slip past the unique index.
 */
export function fold(text: string): string {
  return text.trim().normalize('NFC').toUpperCase().toLowerCase()
}
