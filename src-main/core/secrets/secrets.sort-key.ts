import { fold } from '../../../src-shared/fold'

/**
 * The stored sort key of a name (`secret.name_key`): names in natural order, as
 * Intl.Collator(undefined, { numeric: true, sensitivity: 'base' }) puts them ("Service 5"
 * before "Service 49"), but as text whose plain code-point order (SQLite's BINARY, the
 * index's compareText) is that order. So the report still pages and searches in SQL and in
 * the index, with no collation function called per row.
 *
 * How: the name is folded (fold(): case), its accents dropped (base sensitivity), and every
 * run of ASCII digits written as its length, then its digits, without leading zeros: a
 * longer number sorts after a shorter one, numbers of one length by their digits. The length
 * is a digit too, so a number stays where digits sort among other characters. Lengths 1 to 8
 * are one digit; a longer run is "9" then its length written the same way ("9" "2" "12" for
 * twelve digits), so any length keeps its order.
 *
 * What must stay true: the same name always gives the same key (lookups by name use it),
 * and changing this function needs a migration that rewrites every stored key
 * (secrets.natural-order.migration.ts wrote the first).
 */
export function nameSortKey(name: string): string {
  return naturalKey(stripAccents(fold(name)))
}

/** `text` with each run of ASCII digits replaced by its length-prefixed form (see nameSortKey). */
export function naturalKey(text: string): string {
  return text.replace(/\d+/g, (digits) => {
    const number = digits.replace(/^0+(?=\d)/, '')
    return lengthPrefix(number.length) + number
  })
}

/** An order-preserving, self-delimiting digit string for a length >= 1. */
function lengthPrefix(length: number): string {
  if (length <= 8) return String(length)
  const text = String(length)
  return `9${lengthPrefix(text.length)}${text}`
}

/** Base letters only: "é" and "e" sort alike, as the collator's base sensitivity has them. */
function stripAccents(text: string): string {
  return text.normalize('NFD').replace(/\p{M}+/gu, '').normalize('NFC')
}

/** The collator's order nameSortKey imitates (src-shared/fold.ts). */
export { compareNames } from '../../../src-shared/fold'
