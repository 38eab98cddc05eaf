import { KeyholdError } from '../../../src-shared/errors'
import { fold } from '../../../src-shared/fold'
import type { SecretId } from '../../../src-shared/types/secrets'
import type { SecretHandle } from './secrets.repo'

/**
 * How a REF names an API secret (README "API secrets"), in one place for the two that find
 * one: the service over the database (SecretsService.resolve) and the CLI's read path over
 * the catalog (src-main/cli/read-path.ts). Each gives the lookups over its own store; the
 * order of the rules, what each compares and the messages are here.
 */

/** The fewest characters of an id that `resolve` takes as its start: what `secret list` shows at least. */
export const SHORT_ID_MIN = 8

/** How many secrets a CONFLICT for an ambiguous reference lists. */
const LISTED = 10

/** What the rules ask of a store of API secrets. */
export interface SecretLookup {
  /** Whether a secret has exactly this id. */
  hasId(id: string): boolean
  /** The secret whose folded Identifier (`identifier_key`) is `key`. */
  idByIdentifierKey(key: string): SecretId | undefined
  /** The secrets named exactly `name`, in id order. */
  byName(name: string): SecretHandle[]
  /** Up to `limit` secrets whose id starts with `prefix`, in id order. */
  byIdPrefix(prefix: string, limit: number): SecretHandle[]
}

/**
 * The secret `ref` names: its id; else the one whose Identifier it is (compared as uniqueness
 * compares them, fold()); else the one named exactly `ref`; else the one whose id starts with
 * it, when it is at least SHORT_ID_MIN characters of lower-case hex and "-". NOT_FOUND for
 * none; CONFLICT, naming up to 10 of them, for a name or a start of an id that fits several.
 * An Identifier wins over another secret's name, a name over another secret's id start.
 */
export function resolveRef(ref: string, lookup: SecretLookup): SecretId {
  if (lookup.hasId(ref)) return ref as SecretId
  const id =
    lookup.idByIdentifierKey(fold(ref)) ??
    onlyOne(ref, 'are named', lookup.byName(ref)) ??
    (mayStartAnId(ref) ? onlyOne(ref, 'have an id starting with', lookup.byIdPrefix(ref, LISTED + 1)) : undefined)
  if (id === undefined) throw new KeyholdError('NOT_FOUND', 'There is no API secret with that id, Identifier or name in this vault. List them with `keyhold secret list`.')
  return id
}

/** Whether `ref` may be the start of an id, as resolveRef looks for one (at least SHORT_ID_MIN characters of lower-case hex and "-"). */
export const mayStartAnId = (ref: string): boolean => ref.length >= SHORT_ID_MIN && /^[0-9a-f-]+$/.test(ref)

/**
 * resolveRef's lookups over secrets in memory (an application key's, as the agent lists them):
 * `named` holds at least every secret the REF could name by Identifier or name, `all` every
 * secret when the REF may start an id.
 */
export function lookupAmong(named: readonly SecretHandleOf[], all: readonly SecretHandleOf[] = named): SecretLookup {
  const inIdOrder = (found: readonly SecretHandleOf[]) => found.map(({ id, identifier }) => ({ id, identifier })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  return {
    hasId: (id) => all.some((item) => item.id === id),
    idByIdentifierKey: (key) => named.find((item) => item.identifier !== null && fold(item.identifier) === key)?.id,
    byName: (name) => inIdOrder(named.filter((item) => item.name === name)),
    byIdPrefix: (prefix, limit) => inIdOrder(all.filter((item) => item.id.startsWith(prefix))).slice(0, limit),
  }
}

/** What lookupAmong needs of a secret. */
interface SecretHandleOf {
  id: SecretId
  identifier: string | null
  name: string
}

/** The id of the one secret in `found`, undefined for none; CONFLICT, naming them, for more. */
function onlyOne(ref: string, how: 'are named' | 'have an id starting with', found: readonly SecretHandle[]): SecretId | undefined {
  if (found.length <= 1) return found[0]?.id
  const listed = found.slice(0, LISTED).map((s) => (s.identifier === null ? s.id : `${s.id} (Identifier ${s.identifier})`))
  throw new KeyholdError(
    'CONFLICT',
    `${found.length > LISTED ? `More than ${LISTED}` : found.length} API secrets ${how} "${ref.replace(/\s+/g, ' ').slice(0, 120)}": ${listed.join(', ')}. Give the id or the Identifier of the one you mean.`,
  )
}

/** Up to this many ids, `secret list` tells the ids it shows apart from their neighbours; more, it tells every id apart. */
export const PROBED_IDS = 256

/** The length of the common start of two strings. */
export function commonPrefix(a: string, b: string): number {
  let i = 0
  while (i < a.length && a.charCodeAt(i) === b.charCodeAt(i)) i++
  return i
}

/**
 * SecretsService.shortIdLength over ids in memory (the read path's catalog): how many
 * characters of an id tell `shown` apart from every other of `all` (or, for more than
 * PROBED_IDS shown, every id of `all` from every other), at least SHORT_ID_MIN. Only ids that
 * share their first SHORT_ID_MIN characters can need more, so they are grouped by those
 * first: no sort of `all`.
 */
export function shortIdLengthAmong(all: readonly string[], shown: readonly string[]): number {
  if (shown.length === 0) return SHORT_ID_MIN
  const probed = shown.length <= PROBED_IDS ? shown : all
  // Only the groups a probed id falls in are needed (a list of 100,000 shows few ids without an Identifier).
  const wanted = probed === all ? null : new Set(probed.map((id) => id.slice(0, SHORT_ID_MIN)))
  const groups = new Map<string, string[]>()
  for (const id of all) {
    const start = id.slice(0, SHORT_ID_MIN)
    if (wanted && !wanted.has(start)) continue
    const group = groups.get(start)
    if (group) group.push(id)
    else groups.set(start, [id])
  }
  let common = 0
  for (const id of probed) {
    const group = groups.get(id.slice(0, SHORT_ID_MIN))
    if (group) for (const other of group) if (other !== id) common = Math.max(common, commonPrefix(id, other))
  }
  return Math.max(SHORT_ID_MIN, common + 1)
}
