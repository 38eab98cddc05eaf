import { randomUUID } from 'node:crypto'
import { KeyholdError } from '../../../src-shared/errors'
import type { SecretEditInput, SecretInput } from '../../../src-shared/ipc/secrets.contract'
import type {
  RevealedSecret,
  SecretCopy,
  SecretDetail,
  SecretId,
  SecretPage,
  SecretSort,
  SecretSummary,
  SecretTag,
} from '../../../src-shared/types/secrets'
import type { ActivityService } from '../activity/activity.service'
import type { Actor } from '../../../src-shared/types/activity'
import type { ClipboardGuard } from '../clipboard-guard'
import type { Clock } from '../ports'
import type { Database } from '../vault/database'
import type { VaultService } from '../vault/vault.service'
import { fold } from '../../../src-shared/fold'
import { SecretsIndex } from './secrets.index'
import { scanMatches, searchTerms } from './secrets.match'
import * as repo from './secrets.repo'
import type { SecretRecord } from './secrets.repo'
import { commonPrefix, PROBED_IDS, resolveRef, SHORT_ID_MIN } from './secrets.refs'
import { secretsCsv, secretsJson, type SecretsExportFormat } from './secrets.transfer'
import { nameSortKey } from './secrets.sort-key'

export const DEFAULT_PAGE_SIZE = 50

/** Above this many rows in one mutation, the index re-sorts once instead of inserting each row. */
const BULK_ROWS = 256

export interface SecretsServiceOptions {
  vault: VaultService
  clock: Clock
  /** The process's one guard over copies: a copy is taken back after the person's delay. */
  clipboardGuard: ClipboardGuard
  /** The activity log: every reveal, copy, add, edit, delete and import is recorded. */
  activity?: ActivityService
}

/** See SecretsService.revision; `db` is only compared, never used. */
export interface SecretsRevision {
  db: object
  writes: number
}

/** A list request after defaults: `limit` is unbounded here (the IPC contract bounds it; the CLI lists all). */
export interface SecretQuery {
  search?: string
  tag?: string
  sort?: SecretSort
  direction?: 'asc' | 'desc'
  offset?: number
  limit?: number
}

const notFound = () =>
  new KeyholdError('NOT_FOUND', 'There is no such API secret in this vault. It may have been deleted; refresh the list and try again.')

const duplicateIdentifier = (prefix = '') =>
  new KeyholdError(
    'CONFLICT',
    `${prefix}The Identifier is already used by another API secret (Identifiers are compared ignoring case and surrounding spaces). Choose a different Identifier, or leave it empty. Nothing was saved.`,
  )

const isUniqueViolation = (error: unknown) => error instanceof Error && /UNIQUE constraint failed: secret\.identifier_key/.test(error.message)

/** A report query with every default filled in (name order, ascending; newest first by update). */
function withDefaults(query: SecretQuery) {
  const sort = query.sort ?? 'name'
  return {
    sort,
    direction: query.direction ?? (sort === 'updated' ? 'desc' : 'asc'),
    offset: query.offset ?? 0,
    limit: query.limit ?? DEFAULT_PAGE_SIZE,
    search: query.search ?? '',
    tag: query.tag?.trim() ? query.tag : null,
  } as const
}

/**
 * API secrets: add, list and search, view, reveal, copy, edit, delete, import, export.
 *
 * What must stay true:
 * - SECURITY: the client secret leaves the vault only through `reveal` and `copy` (and the
 *   CLI's explicit `get`) and `exportAll`; summaries, details, errors and the search index
 *   never carry it.
 * - Identifiers are unique after fold(): checked here with a message naming the field, and
 *   enforced by the UNIQUE index on `identifier_key` whatever path writes the table.
 * - Ids and times are drawn before `mutate`, whose function must be re-runnable.
 * - The search index mirrors the database: every mutation updates it in the same function.
 */
export class SecretsService {
  private readonly index = new SecretsIndex()

  constructor(private readonly options: SecretsServiceOptions) {
    // SECURITY: locking drops the search index (the guard takes a copied secret back, see createServices).
    options.vault.onLock(() => this.index.clear())
  }

  private get vault() {
    return this.options.vault.vault()
  }

  private now(): string {
    return new Date(this.options.clock.now()).toISOString()
  }

  count(): number {
    return this.vault.read((db) => repo.count(db))
  }

  /**
   * What the list was read from: the database (another one after an unlock or a reload) and
   * how many writes its secret table has had. Two equal revisions list the same secrets.
   */
  revision(): SecretsRevision {
    return this.vault.read((db) => ({ db, writes: repo.writeCount(db) }))
  }

  /**
   * One page of the report. Without search or tag it is served by the database's own index
   * (fast right after unlock) and the search index is built in the background; with either,
   * by the search index.
   */
  async list(query: SecretQuery = {}): Promise<SecretPage> {
    const vault = this.vault
    const { sort, direction, offset, limit, search, tag } = withDefaults(query)
    if (searchTerms(search).length === 0 && tag === null) {
      const page = vault.read((db) => ({ items: repo.page(db, sort, direction, offset, limit), total: repo.count(db), offset, limit }))
      this.prewarm()
      return page
    }
    for (;;) {
      await this.index.ensure((fn) => vault.read(fn))
      const page = vault.read((db) => {
        if (!this.index.isReadyFor(db)) return null
        const { ids, total } = this.index.query(db, { search, tag, sort, direction, offset, limit })
        return { items: repo.summariesByIds(db, ids), total, offset, limit }
      })
      if (page) return page
    }
  }

  /**
   * The same page as `list`, for a process that lists once and exits (the CLI): a search or
   * tag filter scans the table once with the index's rules (scanMatches) instead of building
   * the search index, which only pays for itself over many searches.
   */
  async listOnce(query: SecretQuery = {}): Promise<SecretPage> {
    const vault = this.vault
    const { sort, direction, offset, limit, search, tag } = withDefaults(query)
    const page = vault.read((db) => {
      if (searchTerms(search).length === 0 && tag === null)
        return { items: repo.page(db, sort, direction, offset, limit), total: repo.count(db), offset, limit }
      if (this.index.isReadyFor(db)) return null
      const rowids = scanMatches(repo.searchText(db), search, tag)
      if (rowids === null) return null
      return { items: repo.summariesByRowids(db, rowids, sort, direction, offset, limit), total: rowids.length, offset, limit }
    })
    return page ?? this.list(query)
  }

  /**
   * A page of the API secrets a caller may read: all, or only those with one of `scope`'s
   * tags (NFC, trimmed, case-insensitive, as tag-scoped roles match). A secret out of scope
   * is left out of the items and of `total`, as if it did not exist. For local access.
   */
  async listWithin(query: SecretQuery, scope: 'all' | readonly string[]): Promise<SecretPage> {
    if (scope === 'all') return this.list(query)
    const { offset, limit } = withDefaults(query)
    const readable: SecretSummary[] = []
    for (let at = 0; ; at += SCOPE_CHUNK) {
      const chunk = await this.list({ ...query, offset: at, limit: SCOPE_CHUNK })
      readable.push(...chunk.items.filter((secret) => inScope(secret.tags, scope)))
      if (at + SCOPE_CHUNK >= chunk.total) break
    }
    return { items: readable.slice(offset, offset + limit), total: readable.length, offset, limit }
  }

  /** One secret's summary if it is in `scope`, else NOT_FOUND (the same answer as for no such secret). */
  summaryWithin(id: SecretId, scope: 'all' | readonly string[]): SecretSummary {
    const [found] = this.vault.read((db) => repo.summariesByIds(db, [id]))
    if (!found || (scope !== 'all' && !inScope(found.tags, scope))) throw notFound()
    return found
  }

  /** Every tag in use with its count. */
  async tags(): Promise<SecretTag[]> {
    const vault = this.vault
    await this.index.ensure((fn) => vault.read(fn))
    return this.index.tags()
  }

  /**
   * Builds the search index while the person looks at the first page (after it is sent),
   * and prepares the default order, so the first keystroke finds it ready.
   */
  private prewarm(): void {
    const vault = this.vault
    setImmediate(() =>
      this.index
        .ensure((fn) => vault.read(fn))
        .then(() => vault.read((db) => this.index.warm(db, 'name')))
        .catch(() => undefined),
    )
  }

  /** After a change: prepare the default order again in the background, if the index is built. */
  private rewarm(): void {
    setImmediate(() => {
      try {
        this.vault.read((db) => this.index.warm(db, 'name'))
      } catch {
        // Locked meanwhile: nothing to prepare.
      }
    })
  }

  get(id: SecretId): SecretDetail {
    return this.vault.read((db) => repo.findDetail(db, id)) ?? throwError(notFound())
  }

  /**
   * The CLI's lookup of a REF (README "API secrets"), by resolveRef's rules (secrets.refs.ts,
   * which the CLI's read path applies to the catalog): an id; else an Identifier; else an
   * exact name; else the start of an id. NOT_FOUND, or CONFLICT naming them.
   */
  resolve(ref: string): SecretDetail {
    return this.vault.read((db) => {
      const id = resolveRef(ref, {
        hasId: (id) => repo.findDetail(db, id as SecretId) !== undefined,
        idByIdentifierKey: (key) => repo.idByIdentifierKey(db, key),
        byName: (name) => repo.handlesByName(db, nameSortKey(name), name),
        byIdPrefix: (prefix, limit) => repo.handlesByIdPrefix(db, prefix, limit),
      })
      return repo.findDetail(db, id)!
    })
  }

  /**
   * How many characters of an id tell the secrets `ids` (all by default) apart from every other
   * secret of the vault, at least SHORT_ID_MIN: `secret list` shows that much of the id of a
   * secret without an Identifier, and `resolve` finds it by it. A few ids are compared with
   * their neighbours in id order; many, all ids in one pass.
   */
  shortIdLength(ids?: readonly SecretId[]): number {
    return this.vault.read((db) => {
      let common = 0
      if (ids && ids.length <= PROBED_IDS) {
        for (const id of ids) for (const other of repo.neighbourIds(db, id)) common = Math.max(common, commonPrefix(id, other))
      } else {
        const all = repo.sortedIds(db)
        for (let i = 1; i < all.length; i++) common = Math.max(common, commonPrefix(all[i - 1]!, all[i]!))
      }
      return Math.max(SHORT_ID_MIN, common + 1)
    })
  }

  /** "Show": the client secret of one API secret, recorded as seen by `by` (this process's actor by default). */
  reveal(id: SecretId, by?: Actor): RevealedSecret {
    const record = this.vault.read((db) => repo.findRecord(db, id)) ?? throwError(notFound())
    this.options.activity?.record({ event: 'secret.revealed', actor: by, target: secretTarget(record) })
    return { clientSecret: record.clientSecret }
  }

  /**
   * Copies the Client ID or client secret to the clipboard; cleared later if it still holds it.
   * `guard`: the process's guard, or another over another clipboard (the CLI's, over the system's).
   */
  async copy(id: SecretId, field: 'clientId' | 'clientSecret', guard: ClipboardGuard = this.options.clipboardGuard): Promise<SecretCopy> {
    const record = this.vault.read((db) => repo.findRecord(db, id)) ?? throwError(notFound())
    const text = field === 'clientId' ? record.clientId : record.clientSecret
    if (text === null) throw new KeyholdError('NOT_FOUND', 'This API secret has no client secret to copy. Edit it to add one.')
    const copied = await guard.copy(text)
    this.options.activity?.record({ event: 'secret.copied', target: secretTarget(record), detail: { field } })
    return copied
  }

  /**
   * Every API secret with its client secret, in name order, as the file `secret import` reads
   * (secrets.transfer.ts). `deliver` writes the text; the export is recorded once it has.
   * SECURITY: only after the master password was confirmed lately (the CLI's unlock counts);
   * the log gets the format and the count, never a value.
   */
  async exportAll(format: SecretsExportFormat, deliver: (text: string) => Promise<void>): Promise<{ count: number }> {
    this.options.vault.requireRecentConfirmation()
    const records = this.vault.read((db) => repo.allRecords(db))
    await deliver(format === 'csv' ? secretsCsv(records) : secretsJson(records))
    this.options.activity?.record({ event: 'secrets.exported', detail: { format, count: records.length } })
    return { count: records.length }
  }

  /** "Add API secret": CONFLICT (naming the Identifier) when the Identifier is taken; nothing is saved then. */
  async add(input: SecretInput): Promise<SecretDetail> {
    const [added] = await this.addMany([input], () => '', false)
    this.options.activity?.record({ event: 'secret.added', target: secretTarget(added!) })
    return added!
  }

  /**
   * Adds all of `inputs` in one save, or none: the first problem rejects the whole batch,
   * its message starting with `label(i)` (e.g. "Row 3: "). Used by the add form and import.
   */
  async addMany(inputs: readonly SecretInput[], label: (index: number) => string = (i) => `Row ${i + 1}: `, recordImport = true): Promise<SecretDetail[]> {
    const seen = new Map<string, number>()
    inputs.forEach((input, i) => {
      if (!input.identifier) return
      const key = fold(input.identifier)
      const first = seen.get(key)
      if (first !== undefined)
        throw new KeyholdError(
          'CONFLICT',
          `${label(i)}The Identifier is the same as in ${label(first).replace(/: $/, '').toLowerCase() || 'another item'} (Identifiers are compared ignoring case and surrounding spaces). Nothing was added.`,
        )
      seen.set(key, i)
    })
    const now = this.now()
    const records: SecretRecord[] = inputs.map((input) => ({
      id: randomUUID() as SecretId,
      name: input.name,
      url: input.url,
      clientId: input.clientId,
      clientSecret: input.clientSecret ?? null,
      identifier: input.identifier ?? null,
      method: input.method ?? null,
      tags: input.tags ?? [],
      notes: input.notes ?? '',
      createdAt: now,
      updatedAt: now,
    }))
    await this.vault.mutate((db) => {
      if (records.length > BULK_ROWS) this.index.dropOrders()
      records.forEach((record, i) => this.write(db, record, 'insert', label(i)))
    })
    this.rewarm()
    if (recordImport) this.options.activity?.record({ event: 'secret.imported', detail: { count: records.length } })
    return records.map(detailOf)
  }

  /** Changes the given fields; absent fields are kept, null clears an optional one. */
  async edit(input: SecretEditInput): Promise<SecretDetail> {
    const now = this.now()
    const { id, ...changes } = input
    const defined = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as Partial<SecretRecord>
    const edited = await this.vault.mutate((db) => {
      const current = repo.findRecord(db, id) ?? throwError(notFound())
      const next: SecretRecord = { ...current, ...defined, id, createdAt: current.createdAt, updatedAt: now }
      this.write(db, next, 'update')
      return detailOf(next)
    })
    this.rewarm()
    this.options.activity?.record({ event: 'secret.edited', target: secretTarget(edited), detail: { fields: Object.keys(defined).sort() } })
    return edited
  }

  async remove(id: SecretId): Promise<void> {
    const name = await this.vault.mutate((db) => {
      const found = repo.findRecord(db, id)
      if (!found || repo.remove(db, id) === 0) throw notFound()
      this.index.delete(db, id)
      return found.name
    })
    this.rewarm()
    this.options.activity?.record({ event: 'secret.deleted', target: { type: 'secret', id, name } })
  }

  /** Inserts or updates one record after the Identifier check, and mirrors it in the index. */
  private write(db: Database, record: SecretRecord, how: 'insert' | 'update', prefix = ''): void {
    const identifierKey = record.identifier === null ? null : fold(record.identifier)
    if (identifierKey !== null) {
      const holder = repo.idByIdentifierKey(db, identifierKey)
      if (holder !== undefined && holder !== record.id) throw duplicateIdentifier(prefix)
    }
    try {
      if (how === 'insert') repo.insert(db, record, nameSortKey(record.name), identifierKey)
      else if (repo.update(db, record, nameSortKey(record.name), identifierKey) === 0) throw notFound()
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicateIdentifier(prefix)
      throw error
    }
    this.index.put(db, record)
  }
}

function detailOf(record: SecretRecord): SecretDetail {
  const { clientSecret, ...rest } = record
  return { ...rest, hasClientSecret: clientSecret !== null } satisfies SecretSummary & { notes: string }
}

export { SHORT_ID_MIN }

/** Scoped lists walk the matches in chunks this big (below SQLite's limit on bound values). */
const SCOPE_CHUNK = 1_000

const scopeTag = (tag: string) => tag.normalize('NFC').trim().toLowerCase()

/** Whether a secret with `tags` shares one with `scope`. */
export function inScope(tags: readonly string[], scope: readonly string[]): boolean {
  const wanted = new Set(scope.map(scopeTag))
  return tags.some((tag) => wanted.has(scopeTag(tag)))
}

function throwError(error: KeyholdError): never {
  throw error
}

/** An API secret as the activity log names it: id and Name, never a field's value. */
function secretTarget(secret: { id: string; name: string }) {
  return { type: 'secret' as const, id: secret.id, name: secret.name }
}
