import type { SerializedError } from '../../../src-shared/errors'
import {
  secretClientId,
  secretClientSecret,
  secretIdentifier,
  secretMethod,
  secretName,
  secretNotes,
  secretTags,
  secretUrl,
} from '../../../src-shared/ipc/secrets.contract'
import { errorText } from '../../api/errors'

/** The fields of the add and edit form, in the order they are shown. */
export const SECRET_FIELDS = ['name', 'url', 'clientId', 'clientSecret', 'identifier', 'method', 'tags', 'notes'] as const
export type SecretField = (typeof SECRET_FIELDS)[number]
export type FieldErrors = Partial<Record<SecretField, string>>

/** What the form holds; every field as typed. */
export interface SecretFormValues {
  name: string
  url: string
  clientId: string
  clientSecret: string
  identifier: string
  method: string
  tags: string[]
  notes: string
}

const SCHEMAS = {
  name: secretName,
  url: secretUrl,
  clientId: secretClientId,
  clientSecret: secretClientSecret,
  identifier: secretIdentifier,
  method: secretMethod,
  tags: secretTags,
  notes: secretNotes,
} as const

/**
 * Checks the form with the contract's own schemas, so the messages next to the fields are
 * the ones main would send. `skip` leaves out fields the form will not send.
 */
export function checkFields(values: SecretFormValues, skip: readonly SecretField[] = []): FieldErrors {
  const errors: FieldErrors = {}
  for (const field of SECRET_FIELDS) {
    if (skip.includes(field)) continue
    const parsed = SCHEMAS[field].safeParse(values[field])
    if (!parsed.success) errors[field] = parsed.error.issues[0]?.message ?? 'This value is not valid.'
  }
  return errors
}

/** Words in main's messages that say which field they are about. */
const FIELD_WORDS: Array<[SecretField, RegExp]> = [
  ['identifier', /\bIdentifier\b/],
  ['clientSecret', /\bclient secret\b|^clientSecret\b/i],
  ['clientId', /\bClient ID\b|^clientId\b/],
  ['url', /\bURL\b|^url\b/],
  ['method', /\bmethod\b/i],
  ['tags', /\btags?\b/i],
  ['notes', /\bnotes\b/i],
  ['name', /\bname\b/i],
]

/**
 * Places an error from main next to the field it names (INVALID_INPUT lists up to three
 * problems, each naming its field; CONFLICT names the Identifier). What names no field is
 * returned as `general`, for a message under the form.
 */
export function placeError(error: SerializedError): { fields: FieldErrors; general: string | null } {
  const text = errorText(error)
  if (error.code !== 'INVALID_INPUT' && error.code !== 'CONFLICT') return { fields: {}, general: text }
  const parts = text
    .replace(/^Invalid input:\s*/, '')
    .split(/;\s+/)
    .map((part) => part.trim())
    .filter(Boolean)
  const fields: FieldErrors = {}
  const rest: string[] = []
  for (const part of parts) {
    const field = FIELD_WORDS.find(([, words]) => words.test(part))?.[0]
    const sentence = /[.!?]$/.test(part) ? part : `${part}.`
    if (field && !fields[field]) fields[field] = sentence.charAt(0).toUpperCase() + sentence.slice(1)
    else rest.push(sentence)
  }
  return { fields, general: rest.length ? rest.join(' ') : null }
}
