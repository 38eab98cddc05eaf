import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { Result } from '../../src-shared/errors'
import type {
  ActivityEntry,
  ActivityEvent,
  ActivityExport,
  ActivityExportFormat,
  ActivityQuery,
  ActivityRetention,
  ActivityVerification,
  ActorType,
} from '../../src-shared/types/activity'
import { client } from '../api/client'
import { errorText } from '../api/errors'
import { t } from '../i18n'
import { searchMatches } from '../components/activity/words'
import { useVaultStore } from './vault.store'

/** Entries per page; "Load more" asks for the next ones before the last shown. */
export const ACTIVITY_PAGE_SIZE = 50

/** The page's filters as the person sets them: dates are local calendar days (YYYY-MM-DD) from the date fields. */
export interface ActivityFilters {
  event: ActivityEvent | ''
  actorType: ActorType | ''
  from: string
  to: string
  search: string
}

/** One secret's or application's entries (the links from an API secret's view and from My apps). */
export interface ActivityTarget {
  id: string
  name: string | null
}

const NO_FILTERS: ActivityFilters = { event: '', actorType: '', from: '', to: '', search: '' }

/** A local calendar day's first (or, with `end`, last) millisecond as ISO-8601 UTC, or null for a day that is not one. */
function dayBound(day: string, end: boolean): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day)
  if (!match) return null
  const start = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]))
  if (Number.isNaN(start.getTime())) return null
  const at = end ? new Date(start.getFullYear(), start.getMonth(), start.getDate() + 1).getTime() - 1 : start.getTime()
  return new Date(at).toISOString()
}

/**
 * Activity as the page sees it: the entries shown (newest first, page after page), the
 * filters that chose them, the last check of the chain (and accepting a restored vault), the
 * export, and how long entries are kept (Settings > Activity log). Filters typed fast may
 * send many requests; only the answer to the latest one is kept.
 * SECURITY: entries hold public facts only (names, ids, counts); nothing here asks for more.
 */
export const useActivityStore = defineStore('activity', () => {
  const vault = useVaultStore()

  const filters = ref<ActivityFilters>({ ...NO_FILTERS })
  const target = ref<ActivityTarget | null>(null)
  const items = ref<ActivityEntry[]>([])
  const nextBefore = ref<number | null>(null)
  const loaded = ref(false)
  const loading = ref(false)
  const loadingMore = ref(false)
  const loadError = ref<string | null>(null)
  const verification = ref<ActivityVerification | null>(null)
  const verifyError = ref<string | null>(null)
  const verifying = ref(false)
  /** Whether the verification shown is the answer to accepting a restored vault. */
  const acceptedRestore = ref(false)
  /** How long entries are kept (Settings > Activity log), once read. */
  const retention = ref<ActivityRetention | null>(null)
  const retentionError = ref<string | null>(null)
  let latest = 0

  /** Whether a filter of the page narrows the list (the target aside). */
  const narrowed = computed(() => Object.values(filters.value).some((value) => value.trim() !== ''))
  /** Whether anything narrows the list (the empty state then says so and offers to clear). */
  const filtered = computed(() => target.value !== null || narrowed.value)

  /** Why the filters cannot be asked as they are (a range that ends before it starts), or null. */
  const filterProblem = computed(() => {
    const { from, to } = filters.value
    return from && to && from > to ? t('activity.filters.rangeBackwards') : null
  })

  function query(before?: number): ActivityQuery {
    const f = filters.value
    const since = f.from ? dayBound(f.from, false) : null
    const until = f.to ? dayBound(f.to, true) : null
    const search = f.search.trim().slice(0, 100)
    // The words on screen ("Wrong password", "The keyhold command") find their entries too.
    const { events, actorTypes } = searchMatches(search)
    return {
      ...(f.event && { event: f.event }),
      ...(f.actorType && { actorType: f.actorType }),
      ...(since && { since }),
      ...(until && { until }),
      ...(search && { search }),
      ...(events.length > 0 && { searchEvents: events }),
      ...(actorTypes.length > 0 && { searchActorTypes: actorTypes }),
      ...(target.value && { targetId: target.value.id }),
      limit: ACTIVITY_PAGE_SIZE,
      ...(before !== undefined && { before }),
    }
  }

  /** The first page for the filters in force; a later call wins over an earlier one. */
  async function load(): Promise<void> {
    const request = ++latest
    loadingMore.value = false
    if (filterProblem.value) {
      items.value = []
      nextBefore.value = null
      loading.value = false
      loaded.value = true
      return
    }
    loading.value = true
    const result = await client.activityList(query())
    if (request !== latest) return
    loading.value = false
    loadError.value = result.ok ? null : errorText(result.error)
    if (!result.ok) return
    items.value = result.value.items
    nextBefore.value = result.value.nextBefore
    loaded.value = true
  }

  /** "Load more": the next page, older than the last entry shown. */
  async function loadMore(): Promise<void> {
    if (nextBefore.value === null || loadingMore.value) return
    const request = latest
    loadingMore.value = true
    const result = await client.activityList(query(nextBefore.value))
    if (request !== latest) return
    loadingMore.value = false
    loadError.value = result.ok ? null : errorText(result.error)
    if (!result.ok) return
    const shown = new Set(items.value.map((entry) => entry.seq))
    items.value = [...items.value, ...result.value.items.filter((entry) => !shown.has(entry.seq))]
    nextBefore.value = result.value.nextBefore
  }

  function setFilters(next: Partial<ActivityFilters>): Promise<void> {
    filters.value = { ...filters.value, ...next }
    return load()
  }

  /** "Clear filters"; with `alsoTarget`, everyone's entries again too. */
  function clearFilters(alsoTarget = false): Promise<void> {
    filters.value = { ...NO_FILTERS }
    if (alsoTarget) target.value = null
    return load()
  }

  /** Shows one secret's or application's entries (null: everyone's), with the other filters kept. */
  function setTarget(next: ActivityTarget | null): Promise<void> {
    target.value = next
    return load()
  }

  /** The page opened: afresh, without the filters of the last visit, on `from`'s entries or everyone's. */
  function open(from: ActivityTarget | null): Promise<void> {
    filters.value = { ...NO_FILTERS }
    target.value = from
    verification.value = null
    verifyError.value = null
    acceptedRestore.value = false
    return load()
  }

  /** Verify: checks the whole chain in main and keeps the answer for the page to say. */
  async function verify(): Promise<void> {
    verifying.value = true
    verifyError.value = null
    acceptedRestore.value = false
    const result = await client.activityVerify({})
    verifying.value = false
    verification.value = result.ok ? result.value : null
    verifyError.value = result.ok ? null : errorText(result.error)
  }

  /**
   * "Accept this vault as restored": the person put back an older copy on purpose, so the
   * check follows this vault from now on (main records it in the log). Shows the new answer
   * and the list with the entry that records it.
   */
  async function acceptRestore(): Promise<Result<ActivityVerification>> {
    const result = await client.activityAcceptRestore({})
    if (!result.ok) return result
    verification.value = result.value
    verifyError.value = null
    acceptedRestore.value = true
    void load()
    return result
  }

  /** Reads how long entries are kept. */
  async function loadRetention(): Promise<void> {
    const result = await client.activityRetention({})
    retention.value = result.ok ? result.value : retention.value
    retentionError.value = result.ok ? null : errorText(result.error)
  }

  /** Changes how long entries are kept; main removes at once what falls outside it and says how many. */
  async function setRetention(next: ActivityRetention): Promise<Result<ActivityRetention & { removed: number }>> {
    const result = await client.activitySetRetention(next)
    if (result.ok) retention.value = { days: result.value.days, entries: result.value.entries }
    return result
  }

  /** Export CSV / JSON through the save dialog; `saved` is false when the person closed it. */
  const exportAs = (format: ActivityExportFormat): Promise<Result<ActivityExport>> => client.activityExport({ format })

  function dismissVerification(): void {
    verification.value = null
    verifyError.value = null
    acceptedRestore.value = false
  }

  function reset(): void {
    latest++
    filters.value = { ...NO_FILTERS }
    target.value = null
    items.value = []
    nextBefore.value = null
    loaded.value = false
    loading.value = false
    loadingMore.value = false
    loadError.value = null
    verification.value = null
    verifyError.value = null
    acceptedRestore.value = false
    retention.value = null
    retentionError.value = null
  }
  vault.onLocked(reset)

  return {
    filters,
    target,
    items,
    nextBefore,
    loaded,
    loading,
    loadingMore,
    loadError,
    verification,
    verifyError,
    verifying,
    acceptedRestore,
    retention,
    retentionError,
    narrowed,
    filtered,
    filterProblem,
    load,
    loadMore,
    setFilters,
    clearFilters,
    setTarget,
    open,
    verify,
    acceptRestore,
    exportAs,
    dismissVerification,
    loadRetention,
    setRetention,
  }
})
