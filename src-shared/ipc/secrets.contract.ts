import { z } from 'zod'
import { isCleanMultiline, lineText, UUID } from '../text'
import {
  HTTP_METHODS,
  type HttpMethod,
  SECRET_LIMITS,
  SECRET_SORTS,
  type RevealedSecret,
  type SecretCopy,
  type SecretDetail,
  type SecretId,
  type SecretPage,
  type SecretTag,
} from '../types/secrets'
import { fold } from '../fold'
import { channel } from './define'

export { SECRET_LIMITS }

/** A required one-line text: trimmed, 1..max characters. Messages name the field as the form labels it. */
const requiredLine = (label: string, max: number) => lineText(label, max, { trim: true, empty: `The ${label} is required.` })

/** An optional one-line text: trimmed; empty (or null) means "none". */
const optionalLine = (label: string, max: number) =>
  z
    .union([z.string(), z.null()])
    .transform((s) => (s ?? '').trim())
    .pipe(lineText(label, max))
    .transform((s) => (s === '' ? null : s))

/** `http://` or `https://`, a host, and no user name or password in it. */
export function isHttpUrl(value: string): boolean {
  if (!/^https?:\/\/[^\s/?#]+/i.test(value)) return false
  try {
    const url = new URL(value)
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== ''
  } catch {
    return false
  }
}

const hasCredentials = (value: string) => {
  try {
    const url = new URL(value)
    return url.username !== '' || url.password !== ''
  } catch {
    return false
  }
}

export const secretName = requiredLine('name', SECRET_LIMITS.name)

export const secretUrl = requiredLine('URL', SECRET_LIMITS.url)
  .refine(isHttpUrl, 'The URL must be an absolute http:// or https:// address, such as https://api.example.com/v1.')
  // SECURITY: the URL is shown in every list; credentials belong in Client ID and Client secret.
  .refine((s) => !hasCredentials(s), 'The URL cannot contain a user name or password: put them in Client ID and Client secret.')

export const secretClientId = requiredLine('Client ID', SECRET_LIMITS.clientId)

/**
 * Kept exactly as given (never trimmed: it is a credential). Empty or null means "none".
 * SECURITY: no message quotes it.
 */
export const secretClientSecret = z
  .union([z.string(), z.null()])
  .transform((s) => s ?? '')
  .pipe(lineText('client secret', SECRET_LIMITS.clientSecret))
  .transform((s) => (s === '' ? null : s))

export const secretIdentifier = optionalLine('Identifier', SECRET_LIMITS.identifier)

/** One of HTTP_METHODS, in any case; empty or null means "none". */
export const secretMethod = z
  .union([z.string(), z.null()])
  .transform((s) => (s ?? '').trim().toUpperCase())
  .refine((s) => s === '' || (HTTP_METHODS as readonly string[]).includes(s), `The method must be one of ${HTTP_METHODS.join(', ')}.`)
  .transform((s) => (s === '' ? null : (s as HttpMethod)))

export const secretTag = requiredLine('tag', SECRET_LIMITS.tag).refine(
  (s) => !s.includes(';'),
  'A tag cannot contain ";" (it separates tags in CSV files).',
)

/** Tags: each trimmed; repeats (ignoring case) are dropped, keeping the first spelling. */
export const secretTags = z
  .array(secretTag)
  .max(SECRET_LIMITS.tags, `The tags can be at most ${SECRET_LIMITS.tags}.`)
  .transform((tags) => {
    const seen = new Set<string>()
    return tags.filter((tag) => {
      const key = fold(tag)
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })
  })

export const secretNotes = z
  .string()
  .max(SECRET_LIMITS.notes, `The notes can have at most ${SECRET_LIMITS.notes} characters.`)
  .refine((s) => isCleanMultiline(s), 'The notes cannot contain control characters.')

export const secretId = z
  .string()
  .regex(UUID, 'That API secret id is not valid.')
  .transform((s) => s as SecretId)

/** "Add API secret": Name, URL and Client ID are mandatory (the asterisks of the form). */
export const secretInput = z.strictObject({
  name: secretName,
  url: secretUrl,
  clientId: secretClientId,
  clientSecret: secretClientSecret.optional(),
  identifier: secretIdentifier.optional(),
  method: secretMethod.optional(),
  tags: secretTags.optional(),
  notes: secretNotes.optional(),
})

/** "Edit": any subset of the fields. An absent field is kept; null or empty clears an optional one. */
export const secretEditInput = z.strictObject({
  id: secretId,
  name: secretName.optional(),
  url: secretUrl.optional(),
  clientId: secretClientId.optional(),
  clientSecret: secretClientSecret.optional(),
  identifier: secretIdentifier.optional(),
  method: secretMethod.optional(),
  tags: secretTags.optional(),
  notes: secretNotes.optional(),
})

export const secretListInput = z.strictObject({
  search: z.string().max(SECRET_LIMITS.search, `The search can have at most ${SECRET_LIMITS.search} characters.`).optional(),
  tag: z.string().max(SECRET_LIMITS.tag, `The tag can have at most ${SECRET_LIMITS.tag} characters.`).optional(),
  sort: z.enum(SECRET_SORTS, { message: `The sort must be one of ${SECRET_SORTS.join(', ')}.` }).optional(),
  direction: z.enum(['asc', 'desc'], { message: 'The direction must be asc or desc.' }).optional(),
  offset: z.number().int('The offset must be a whole number.').min(0, 'The offset cannot be negative.').max(10_000_000, 'The offset is too large.').optional(),
  limit: z
    .number()
    .int('The page size must be a whole number.')
    .min(1, 'The page size must be at least 1.')
    .max(SECRET_LIMITS.pageSize, `The page size can be at most ${SECRET_LIMITS.pageSize}.`)
    .optional(),
})

export type SecretInput = z.output<typeof secretInput>
export type SecretEditInput = z.output<typeof secretEditInput>

const byId = z.strictObject({ id: secretId })

export const secretsChannels = {
  /** One page of the report, filtered by search text and tag. Rows never carry a client secret. */
  secretsList: channel<SecretPage>()('secrets:list', secretListInput),
  /** Every tag in use with its count, for the tag filter. */
  secretsTags: channel<SecretTag[]>()('secrets:tags', z.strictObject({})),
  /** One API secret for the view and edit screens, without its client secret. */
  secretsGet: channel<SecretDetail>()('secrets:get', byId),
  /** "Add API secret". CONFLICT when another API secret has the same Identifier. */
  secretsAdd: channel<SecretDetail>()('secrets:add', secretInput),
  secretsEdit: channel<SecretDetail>()('secrets:edit', secretEditInput),
  /** Deletes one API secret (the screen has asked for confirmation). */
  secretsRemove: channel<null>()('secrets:remove', byId),
  /** "Show": the client secret of one API secret, on explicit request only. */
  secretsReveal: channel<RevealedSecret>()('secrets:reveal', byId),
  /** Copies the Client ID or the client secret; main clears the clipboard later if it still holds it. */
  secretsCopy: channel<SecretCopy>()(
    'secrets:copy',
    z.strictObject({ id: secretId, field: z.enum(['clientId', 'clientSecret'], { message: 'The field to copy must be clientId or clientSecret.' }) }),
  ),
} as const
