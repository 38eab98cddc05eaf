import type { ClipboardCopy } from './settings'

/** An API secret's id: a random UUID drawn when it is added. */
export type SecretId = string & { readonly __brand: 'SecretId' }

/** The HTTP methods an API secret may name (RFC 9110 plus PATCH). */
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'CONNECT', 'TRACE'] as const
export type HttpMethod = (typeof HTTP_METHODS)[number]

/** Bounds of every field; the contract's messages say them, and the forms show them (here, free of zod: the CLI's read path checks them too). */
export const SECRET_LIMITS = {
  name: 200,
  url: 2048,
  clientId: 512,
  clientSecret: 4096,
  identifier: 200,
  tag: 50,
  tags: 30,
  notes: 10_000,
  search: 200,
  pageSize: 500,
} as const

/** How the report page and `keyhold secret list` can order API secrets. */
export const SECRET_SORTS = ['name', 'updated'] as const
export type SecretSort = (typeof SECRET_SORTS)[number]

/**
 * One row of the API secrets report. SECURITY: a summary never carries the client secret
 * (nor the notes); `hasClientSecret` only says whether there is one to show or copy.
 */
export interface SecretSummary {
  id: SecretId
  name: string
  url: string
  clientId: string
  identifier: string | null
  method: HttpMethod | null
  tags: string[]
  hasClientSecret: boolean
  createdAt: string
  updatedAt: string
}

/** One API secret as the view and edit screens show it: still without the client secret. */
export interface SecretDetail extends SecretSummary {
  notes: string
}

/** One page of the report: `total` matches, of which `items` start at `offset`. */
export interface SecretPage {
  items: SecretSummary[]
  total: number
  offset: number
  limit: number
}

/** A tag in use, with how many API secrets carry it (for the tag filter). */
export interface SecretTag {
  tag: string
  count: number
}

/** The answer to an explicit "Show": the client secret of one API secret, or null when it has none. */
export interface RevealedSecret {
  clientSecret: string | null
}

/** The answer to a copy of a Client ID or client secret (the same as for a token). */
export type SecretCopy = ClipboardCopy
