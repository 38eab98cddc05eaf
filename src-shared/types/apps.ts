/** An application registered in My apps (a paired mobile app or browser extension). */
export type AppId = string & { readonly __brand: 'AppId' }

/** The kinds of application an authorization key is for. */
export const APP_TYPES = ['mobile', 'extension'] as const
export type AppType = (typeof APP_TYPES)[number]

/** How each type is named on screen and in `keyhold app list`. */
export const APP_TYPE_LABELS: Record<AppType, string> = { mobile: 'Mobile app', extension: 'Extension' }

/**
 * pending: created, key never used; active: the key was used at least once; expired: past
 * its expiration; revoked: revoked by the person (final). Derived from the times, never stored.
 */
export const APP_STATUSES = ['pending', 'active', 'expired', 'revoked'] as const
export type AppStatus = (typeof APP_STATUSES)[number]

/** Which applications the report lists: pending and active ones, expired and revoked ones, or all. */
export const APP_LIST_FILTERS = ['current', 'inactive', 'all'] as const
export type AppListFilter = (typeof APP_LIST_FILTERS)[number]

/** A row of the My apps report. SECURITY: never carries the key, its code, its hash or the QR. */
export interface AppSummary {
  id: AppId
  name: string
  type: AppType
  /** ISO-8601 UTC times. */
  createdAt: string
  updatedAt: string
  /** Null: the key lasts until revoked. */
  expiresAt: string | null
  lastUsedAt: string | null
  revokedAt: string | null
  /** As of the moment the summary was made; `appStatus` recomputes it for a later moment. */
  status: AppStatus
}

/**
 * The one-time result of "+ New key". SECURITY: the only value that ever carries the key
 * (as `code`, inside `uri` and inside the `qr` image); nothing stores or returns it again.
 */
export interface AppCreated {
  app: AppSummary
  /** The manually enterable code, grouped, with its check symbol. */
  code: string
  /** The pairing URI encoded in the QR code (docs/pairing-uri.md). */
  uri: string
  /** The QR code of `uri` as a PNG data URL, for an <img>. */
  qr: string
  /**
   * A Mobile app key's: where the phone will connect (the `host` and `fp` in `uri`), or null when
   * nothing listens for phones (Phones on this network could not start). Absent for an Extension key.
   */
  network?: { hosts: string[]; fingerprint: string } | null
  /**
   * The key screen's "Copy code" asks main to copy by this handle (apps:copy-code): main holds
   * the code in memory for that screen only, as it does a new token (app-keys' TokenCopies).
   */
  copyHandle?: string
}
