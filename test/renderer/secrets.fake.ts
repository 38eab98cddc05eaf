import type { KeyholdApi } from '../../src-shared/ipc/contract'
import type { Result } from '../../src-shared/errors'
import type { SecretDetail, SecretId } from '../../src-shared/types/secrets'

type Api = Partial<KeyholdApi>
type Stored = SecretDetail & { clientSecret: string | null }

const ok = <T>(value: T): Result<T> => ({ ok: true, value })

/**
 * The secrets channels in memory, for store and component tests: search over name, URL,
 * client ID, identifier and tags, tag filter, sort, paging, and the duplicate-Identifier
 * CONFLICT. Logs each list request so tests can check what the store asked for.
 */
export class FakeSecrets {
  readonly rows: Stored[] = []
  readonly listCalls: Array<Parameters<KeyholdApi['secretsList']>[0]> = []
  /** Holds list answers until released, to test that only the latest one is kept. */
  hold = false
  private held: Array<() => void> = []

  add(count: number, make: (i: number) => Partial<Stored> = () => ({})): this {
    for (let i = 0; i < count; i++) {
      const when = new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString()
      this.rows.push({
        id: `00000000-0000-4000-8000-${String(this.rows.length).padStart(12, '0')}` as SecretId,
        name: `Secret ${String(i).padStart(3, '0')}`,
        url: `https://api${i}.example.com`,
        clientId: `client-${i}`,
        clientSecret: `SECRET-${i}`,
        hasClientSecret: true,
        identifier: null,
        method: null,
        tags: [],
        notes: '',
        createdAt: when,
        updatedAt: when,
        ...make(i),
      })
    }
    return this
  }

  release(): void {
    const held = this.held
    this.held = []
    for (const go of held) go()
  }

  private summary({ clientSecret: _secret, notes: _notes, ...rest }: Stored) {
    return rest
  }

  api(): Api {
    return {
      secretsList: async (input) => {
        this.listCalls.push(input)
        if (this.hold) await new Promise<void>((go) => this.held.push(go))
        const words = (input.search ?? '').toLowerCase().split(/\s+/).filter(Boolean)
        const matches = this.rows
          .filter((r) => !input.tag || r.tags.some((t) => t.toLowerCase() === input.tag!.toLowerCase()))
          .filter((r) => words.every((w) => [r.name, r.url, r.clientId, r.identifier ?? '', ...r.tags].some((f) => f.toLowerCase().includes(w))))
          .sort((a, b) => (input.sort === 'updated' ? a.updatedAt.localeCompare(b.updatedAt) : a.name.localeCompare(b.name)))
        if (input.direction === 'desc') matches.reverse()
        const offset = input.offset ?? 0
        const limit = input.limit ?? 50
        return ok({ items: matches.slice(offset, offset + limit).map((r) => this.summary(r)), total: matches.length, offset, limit })
      },
      secretsTags: async () => {
        const counts = new Map<string, number>()
        for (const r of this.rows) for (const t of r.tags) counts.set(t, (counts.get(t) ?? 0) + 1)
        return ok([...counts].map(([tag, count]) => ({ tag, count })))
      },
      secretsGet: async ({ id }) => {
        const row = this.rows.find((r) => r.id === id)
        if (!row) return { ok: false, error: { code: 'NOT_FOUND', message: 'There is no such API secret in this vault.' } }
        const { clientSecret: _secret, ...detail } = row
        return ok(detail)
      },
      secretsReveal: async ({ id }) => ok({ clientSecret: this.rows.find((r) => r.id === id)?.clientSecret ?? null }),
      secretsCopy: async () => ok({ clearsAfterMs: 30_000 }),
      secretsAdd: async (input) => {
        const identifier = input.identifier?.trim() || null
        if (identifier && this.rows.some((r) => r.identifier?.toLowerCase() === identifier.toLowerCase()))
          return {
            ok: false,
            error: { code: 'CONFLICT', message: 'The Identifier is already used by another API secret. Choose a different Identifier, or leave it empty. Nothing was saved.' },
          }
        this.add(1, () => ({
          name: input.name,
          url: input.url,
          clientId: input.clientId,
          clientSecret: input.clientSecret ?? null,
          hasClientSecret: Boolean(input.clientSecret),
          identifier,
          method: (input.method as SecretDetail['method']) ?? null,
          tags: input.tags ?? [],
          notes: input.notes ?? '',
        }))
        const { clientSecret: _secret, ...detail } = this.rows[this.rows.length - 1]!
        return ok(detail)
      },
    }
  }
}
