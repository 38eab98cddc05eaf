/**
 * Ranking API secrets for the page in front of the person: a secret whose URL has the page's
 * host first, then one on the same site (api.stripe.com for dashboard.stripe.com), then the
 * rest in the order the agent gave. Pure functions of text: no DOM, no browser API.
 */

export type PageMatch = 'host' | 'site' | null

/** The lower-case host of an http(s) URL, also of one written without its scheme; null otherwise. */
export function hostOf(url: string | null | undefined): string | null {
  const text = url?.trim()
  if (!text) return null
  let parsed: URL
  try {
    parsed = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`)
  } catch {
    return null
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null
  return parsed.hostname.toLowerCase().replace(/\.$/, '') || null
}

/** Second-level labels under which registries sell names (co.uk, com.au, …): the site is then three labels. */
const SECOND_LEVEL = new Set(['ac', 'co', 'com', 'edu', 'gov', 'net', 'org', 'ne', 'or', 'go', 'gv', 'nic', 'mil'])

/**
 * The site of a host: its last two labels, or three under a country's second level
 * (`shop.example.co.uk` → `example.co.uk`). An approximation of the registrable domain
 * without the Public Suffix List; IP addresses and single labels are their own site.
 */
export function siteOf(host: string): string {
  if (/^[\d.]+$/.test(host) || host.includes(':')) return host
  const labels = host.split('.')
  if (labels.length <= 2) return host
  const tld = labels[labels.length - 1]!
  const second = labels[labels.length - 2]!
  const take = tld.length === 2 && SECOND_LEVEL.has(second) ? 3 : 2
  return labels.slice(-take).join('.')
}

/** How a secret's URL relates to the page's host. */
export function pageMatch(secretUrl: string, pageHost: string | null): PageMatch {
  if (!pageHost) return null
  const host = hostOf(secretUrl)
  if (!host) return null
  if (host === pageHost) return 'host'
  return siteOf(host) === siteOf(pageHost) ? 'site' : null
}

const ORDER: Record<string, number> = { host: 0, site: 1, none: 2 }

/** The items with the page's host first, then its site, then the rest; stable within each group. */
export function rankForPage<T extends { url: string }>(items: readonly T[], pageHost: string | null): T[] {
  return items
    .map((item, index) => ({ item, index, rank: ORDER[pageMatch(item.url, pageHost) ?? 'none']! }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map(({ item }) => item)
}

/** `first`, then the items of `rest` not already in it (by id): a site's matches ahead of the whole list. */
export function mergeById<T extends { id: string }>(first: readonly T[], rest: readonly T[]): T[] {
  const seen = new Set(first.map((item) => item.id))
  return [...first, ...rest.filter((item) => !seen.has(item.id))]
}
