import type { VaultStatus } from '../../src-shared/types/vault'
import type { IconName } from '../components/icons'

/**
 * An entry in the side menu, as a route declares it; entries with the same `section` are
 * grouped under it. Its words are message keys (src-renderer/i18n), translated where the
 * menus are built (router/menu.ts), so they follow a change of language.
 */
export interface MenuEntryMeta {
  /** Message key of the link's name, e.g. 'shell.nav.home'. */
  label: string
  icon: IconName
  /**
   * Lower comes first; sections sit where their first entry would. Top-level entries
   * from 1000 on go below the sections (Settings is 1000).
   */
  order: number
  /** Message key of the group heading, e.g. 'shell.nav.sections.integrations'; top level when absent. */
  section?: string
  /** Message key of one line for the home page's overview of the screens. */
  description?: string
}

/** An entry in a drop-down (user menu, "+ Add password"); `label` is a message key. */
export interface DropdownEntry {
  label: string
  icon?: IconName
  order: number
}

declare module 'vue-router' {
  interface RouteMeta {
    /** The vault state this screen belongs to; the children of AppFrame inherit `unlocked`. */
    access?: VaultStatus['state']
    /** Message key of the window title. */
    title?: string
    /** Listed in the side menu. */
    menu?: MenuEntryMeta
    /** Listed in the user menu, top right (e.g. My apps, with the key icon). */
    userMenu?: DropdownEntry
    /** Listed in the home page's "+ Add password" drop-down. */
    addPassword?: DropdownEntry
  }
}
