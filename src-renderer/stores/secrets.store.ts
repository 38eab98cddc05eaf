import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { Result } from '../../src-shared/errors'
import { fold } from '../../src-shared/fold'
import type { ChannelInput } from '../../src-shared/ipc/define'
import type { secretsChannels } from '../../src-shared/ipc/secrets.contract'
import type {
  RevealedSecret,
  SecretCopy,
  SecretDetail,
  SecretId,
  SecretSort,
  SecretSummary,
  SecretTag,
} from '../../src-shared/types/secrets'
import { client } from '../api/client'
import { errorText } from '../api/errors'
import { useVaultStore } from './vault.store'

/** Rows per page of the report: the renderer never holds more than this many. */
export const PAGE_SIZE = 50

/** The add and edit forms as they are sent; the contract's schemas check and normalise them in main. */
export type SecretDraft = ChannelInput<typeof secretsChannels.secretsAdd>
export type SecretEditDraft = ChannelInput<typeof secretsChannels.secretsEdit>

/**
 * API secrets as the screens see them: one page of the report (never a client secret), the
 * query that produced it, and the tags for the filter. Search as you type may send many
 * requests; only the answer to the latest one is kept.
 *
 * SECURITY: `reveal` and `copy` hand their answer to the caller and keep nothing here; the
 * dialog that shows a client secret forgets it when it is hidden or closed.
 */
export const useSecretsStore = defineStore('secrets', () => {
  const vault = useVaultStore()

  const search = ref('')
  const tag = ref('')
  const sort = ref<SecretSort>('name')
  const direction = ref<'asc' | 'desc'>('asc')
  const offset = ref(0)

  const items = ref<SecretSummary[]>([])
  const total = ref(0)
  const tags = ref<SecretTag[]>([])
  const loaded = ref(false)
  const loading = ref(false)
  const loadError = ref<string | null>(null)
  /**
   * The report's message after a save or delete ("API secret saved"), kept across the add
   * route: what happened (the screen words it in the app's language) and to which API secret.
   */
  const notice = ref<{ event: 'saved' | 'deleted'; tone: 'success' | 'error'; name?: string } | null>(null)
  let latest = 0

  const page = computed(() => Math.floor(offset.value / PAGE_SIZE) + 1)
  const pages = computed(() => Math.max(1, Math.ceil(total.value / PAGE_SIZE)))
  const filtered = computed(() => search.value.trim() !== '' || tag.value !== '')

  /** Loads the page at `offset` for the current query; a later call wins over an earlier one. */
  async function load(at = offset.value): Promise<void> {
    const request = ++latest
    loading.value = true
    const result = await client.secretsList({
      search: search.value.slice(0, 200),
      ...(tag.value ? { tag: tag.value } : {}),
      sort: sort.value,
      direction: direction.value,
      offset: at,
      limit: PAGE_SIZE,
    })
    if (request !== latest) return
    loading.value = false
    loadError.value = result.ok ? null : errorText(result.error)
    if (!result.ok) return
    // The last page may have emptied (a delete, another window): step back to the new last page.
    if (result.value.items.length === 0 && result.value.total > 0 && at > 0) return load(Math.floor((result.value.total - 1) / PAGE_SIZE) * PAGE_SIZE)
    offset.value = at
    items.value = result.value.items
    total.value = result.value.total
    loaded.value = true
  }

  async function loadTags(): Promise<void> {
    const result = await client.secretsTags({})
    if (result.ok) tags.value = result.value
    if (tag.value && result.ok && !result.value.some((t) => fold(t.tag) === fold(tag.value))) {
      tag.value = ''
      await load(0)
    }
  }

  /** Reloads the current page and the tags (after a change). */
  async function refresh(): Promise<void> {
    await Promise.all([load(), loadTags()])
  }

  function setSearch(text: string): Promise<void> {
    search.value = text
    return load(0)
  }

  function setTag(next: string): Promise<void> {
    tag.value = next
    return load(0)
  }

  /** Sorts by `by`; choosing the current column again flips the direction. */
  function sortBy(by: SecretSort): Promise<void> {
    if (sort.value === by) direction.value = direction.value === 'asc' ? 'desc' : 'asc'
    else {
      sort.value = by
      direction.value = by === 'updated' ? 'desc' : 'asc'
    }
    return load(0)
  }

  function goToPage(n: number): Promise<void> {
    const clamped = Math.min(Math.max(1, n), pages.value)
    return load((clamped - 1) * PAGE_SIZE)
  }

  function get(id: SecretId): Promise<Result<SecretDetail>> {
    return client.secretsGet({ id })
  }

  async function add(input: SecretDraft): Promise<Result<SecretDetail>> {
    const result = await client.secretsAdd(input)
    if (result.ok) await refresh()
    return result
  }

  async function edit(input: SecretEditDraft): Promise<Result<SecretDetail>> {
    const result = await client.secretsEdit(input)
    if (result.ok) await refresh()
    return result
  }

  async function remove(id: SecretId): Promise<Result<null>> {
    const result = await client.secretsRemove({ id })
    if (result.ok) await refresh()
    return result
  }

  /** "Show": the caller keeps the answer only while it is shown. */
  function reveal(id: SecretId): Promise<Result<RevealedSecret>> {
    return client.secretsReveal({ id })
  }

  /** Main writes the clipboard and clears it later; nothing crosses back but the delay. */
  function copy(id: SecretId, field: 'clientId' | 'clientSecret'): Promise<Result<SecretCopy>> {
    return client.secretsCopy({ id, field })
  }

  function reset(): void {
    latest++
    search.value = ''
    tag.value = ''
    sort.value = 'name'
    direction.value = 'asc'
    offset.value = 0
    items.value = []
    total.value = 0
    tags.value = []
    loaded.value = false
    loading.value = false
    loadError.value = null
    notice.value = null
  }
  vault.onLocked(reset)

  return {
    search,
    tag,
    sort,
    direction,
    offset,
    items,
    total,
    tags,
    loaded,
    loading,
    loadError,
    notice,
    page,
    pages,
    filtered,
    load,
    loadTags,
    refresh,
    setSearch,
    setTag,
    sortBy,
    goToPage,
    get,
    add,
    edit,
    remove,
    reveal,
    copy,
  }
})
