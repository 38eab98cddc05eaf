import { Transform, type TransformCallback } from 'node:stream'
import { KeyholdError } from '../../src-shared/errors'
import type { SecretDetail } from '../../src-shared/types/secrets'
import type { Services } from '../core/services'
import { oneLine } from './helpers'

/**
 * Secret references, `keyhold://REF/FIELD` (README "Secrets into programs"): REF names an API
 * secret as `secret get` finds it (its id, its Identifier, or its exact name), percent-encoded
 * where it has a space, a slash or another character a URI cannot hold; FIELD is one of
 * REFERENCE_FIELDS. `keyhold run` resolves them in environment variables, `keyhold inject` in
 * a template's `{{ keyhold://REF/FIELD }}`.
 */

/** The fields a reference may name, and where each value comes from (the client secret is revealed, and recorded). */
export const REFERENCE_FIELDS = ['client-secret', 'client-id', 'url', 'name', 'identifier', 'method', 'notes', 'id'] as const
export type ReferenceField = (typeof REFERENCE_FIELDS)[number]

const FIELD_VALUE: Record<Exclude<ReferenceField, 'client-secret'>, (s: SecretDetail) => string> = {
  'client-id': (s) => s.clientId,
  url: (s) => s.url,
  name: (s) => s.name,
  identifier: (s) => s.identifier ?? '',
  method: (s) => s.method ?? '',
  notes: (s) => s.notes,
  id: (s) => s.id,
}

export const REFERENCE_PREFIX = 'keyhold://'

export interface Reference {
  /** As written, for messages. */
  text: string
  ref: string
  field: ReferenceField
}

/** Shortened for a message: a reference is not secret, but may be long or hold control characters. */
export const shown = (text: string) => oneLine(text).slice(0, 120)

/** Parses `keyhold://REF/FIELD`; INVALID_INPUT that says what a reference looks like. */
export function parseReference(text: string): Reference {
  const match = /^keyhold:\/\/([^/\s]+)\/([a-z-]+)$/.exec(text)
  const usage = `Write a reference as keyhold://REF/FIELD, where REF is an API secret's Identifier, id or name (percent-encoded, e.g. Stripe%20prod) and FIELD is one of ${REFERENCE_FIELDS.join(', ')}.`
  if (!match) throw new KeyholdError('INVALID_INPUT', `"${shown(text)}" is not a secret reference. ${usage}`)
  let ref: string
  try {
    ref = decodeURIComponent(match[1]!)
  } catch {
    throw new KeyholdError('INVALID_INPUT', `"${shown(text)}" has a malformed %-escape. ${usage}`)
  }
  const field = match[2]!
  if (!(REFERENCE_FIELDS as readonly string[]).includes(field))
    throw new KeyholdError('INVALID_INPUT', `"${shown(text)}" names the field "${field}", which a reference cannot name. FIELD is one of ${REFERENCE_FIELDS.join(', ')}.`)
  return { text, ref, field: field as ReferenceField }
}

/**
 * Resolves every reference, or none: the first problem of each reference is collected, and a
 * single error lists them all before anything runs. `where(i)` says where reference i was
 * written (an environment variable, a template's line). SECURITY: messages name references
 * and fields, never a value.
 */
export function resolveReferences(services: Services, references: readonly Reference[], where: (index: number) => string): string[] {
  const problems: string[] = []
  const values = references.map((reference, index) => {
    try {
      const secret = services.secrets.resolve(reference.ref)
      if (reference.field !== 'client-secret') return FIELD_VALUE[reference.field](secret)
      const { clientSecret } = services.secrets.reveal(secret.id)
      if (clientSecret === null) throw new KeyholdError('NOT_FOUND', `"${shown(secret.name)}" has no client secret. Add one with \`keyhold secret edit ${secret.identifier ?? secret.id} --client-secret-stdin\`.`)
      return clientSecret
    } catch (error) {
      if (!(error instanceof KeyholdError)) throw error
      problems.push(`${where(index)}: ${reference.text}: ${error.message}`)
      return ''
    }
  })
  if (problems.length > 0) {
    throw new KeyholdError('NOT_FOUND', `${problems.length === 1 ? 'A reference does' : `${problems.length} references do`} not resolve, so nothing was run or written. ${problems.join('; ')}`)
  }
  return values
}

/** What `run` prints in place of a secret in the program's output. */
export const CONCEALED = '<concealed by keyhold>'
/** Values shorter than this are not masked: masking "1" would garble every number in the output. */
export const MASK_MIN_LENGTH = 4

/**
 * Replaces each of `secrets` in a byte stream with CONCEALED, also when one is split across
 * chunks: the longest tail that could begin a secret is held back until the next chunk or the
 * end. Works on bytes (latin1 strings), so output that is not UTF-8 passes through unchanged.
 */
export class MaskingStream extends Transform {
  private readonly secrets: string[]
  private carry = ''

  constructor(secrets: readonly string[]) {
    super()
    // Longest first, so a secret that contains another is masked whole.
    this.secrets = [...new Set(secrets.filter((s) => s.length >= MASK_MIN_LENGTH).map((s) => Buffer.from(s, 'utf8').toString('latin1')))].sort((a, b) => b.length - a.length)
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let text = this.carry + chunk.toString('latin1')
    text = this.mask(text)
    const keep = this.heldBack(text)
    this.carry = text.slice(text.length - keep)
    const out = text.slice(0, text.length - keep)
    done(null, out.length > 0 ? Buffer.from(out, 'latin1') : undefined)
  }

  override _flush(done: TransformCallback): void {
    done(null, this.carry.length > 0 ? Buffer.from(this.carry, 'latin1') : undefined)
  }

  private mask(text: string): string {
    for (const secret of this.secrets) if (text.includes(secret)) text = text.split(secret).join(CONCEALED)
    return text
  }

  /** The length of the longest end of `text` that is the start of a secret (it may continue in the next chunk). */
  private heldBack(text: string): number {
    let longest = 0
    for (const secret of this.secrets)
      for (let k = Math.min(secret.length - 1, text.length); k > longest; k--)
        if (text.endsWith(secret.slice(0, k))) {
          longest = k
          break
        }
    return longest
  }
}
