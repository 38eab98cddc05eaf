import type { SecretSummary } from '../../../src-shared/types/secrets'

/**
 * A secret's searchable text, the one definition every search reads (the index's build and its
 * changes, and the CLI's one scan without the index): these fields in this order, then its tags,
 * one per line, folded (see fold.ts). Each field is read by its SQL (secrets.repo.ts) ('' for none), so SQLite
 * builds the text of many rows at once, and by `searchableFields` for one secret after a change.
 * SECURITY: never the client secret or the notes.
 */
export const SEARCHABLE = {
  name: 'name',
  url: 'url',
  clientId: 'client_id',
  identifier: "coalesce(identifier, '')",
  method: "coalesce(method, '')",
} as const satisfies Partial<Record<keyof SecretSummary, string>>

export type SearchableField = keyof typeof SEARCHABLE
const SEARCHABLE_FIELDS = Object.keys(SEARCHABLE) as SearchableField[]

/** A secret's searchable fields, one per line, as secrets.repo.ts's SQL reads them from its row. */
export function searchableFields(secret: Pick<SecretSummary, SearchableField>): string {
  let text = ''
  for (let i = 0; i < SEARCHABLE_FIELDS.length; i++) text += (i === 0 ? '' : '\n') + (secret[SEARCHABLE_FIELDS[i]!] ?? '')
  return text
}

/** A secret's searchable text from its (folded) fields and folded tags, as the repo's HAY joins them. */
export const searchableText = (fields: string, foldedTags: readonly string[]): string => `${fields}\n${foldedTags.join('\n')}`
