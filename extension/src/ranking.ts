import { getDomain } from 'tldts'

/**
 * Ranking API secrets for the page in front of the person: a secret whose URL has the page's
 * host first, then one on the page's site (its registrable domain), then the rest in the order
 * the agent gave. Pure functions of text: no DOM, no browser API.
 */

export type PageMatch = 'host' | 'domain' | null

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

/**
 * The site of a host: its registrable domain by the Public Suffix List (tldts, bundled, with
 * the list's private section, so evil.github.io and mine.github.io, *.vercel.app or two names
 * under co.uk are different sites), or the host itself (without `www.`) for an IP address,
 * `localhost` or a name the list does not know.
 */
export function domainOf(host: string): string {
  const site = getDomain(host, { allowPrivateDomains: true })
  if (site) return site
  return host.startsWith('www.') && host.length > 4 ? host.slice(4) : host
}

/** How a secret's URL relates to the page's host: the same host, or the same site. */
export function pageMatch(secretUrl: string, pageHost: string | null): PageMatch {
  if (!pageHost) return null
  const host = hostOf(secretUrl)
  if (!host) return null
  if (host === pageHost) return 'host'
  return domainOf(host) === domainOf(pageHost) ? 'domain' : null
}

const ORDER: Record<string, number> = { host: 0, domain: 1, none: 2 }

/** The items with the page's host first, then its site, then the rest; stable within each group. */
export function rankForPage<T extends { url: string }>(items: readonly T[], pageHost: string | null): T[] {
  return items
    .map((item, index) => ({ item, index, rank: ORDER[pageMatch(item.url, pageHost) ?? 'none']! }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map(({ item }) => item)
}

/** `first`, then the items of `rest` not already in it (by id): a page's matches ahead of the whole list. */
export function mergeById<T extends { id: string }>(first: readonly T[], rest: readonly T[]): T[] {
  const seen = new Set(first.map((item) => item.id))
  return [...first, ...rest.filter((item) => !seen.has(item.id))]
}
