import type { VaultStatus } from '../../src-shared/types/vault'
import type { IconName } from '../components/icons'

/** An entry in the side menu; entries with the same `section` are grouped under it. */
export interface MenuEntry {
  label: string
  icon: IconName
  /**
   * Lower comes first; sections sit where their first entry would. Top-level entries
   * from 1000 on go below the sections (Settings is 1000).
   */
  order: number
  /** Group heading, e.g. "Integrations"; top level when absent. */
  section?: string
  /** One line for the home page's overview of the screens. */
  description?: string
}

/** An entry in a drop-down (user menu, "+ Add password"). */
export interface DropdownEntry {
  label: string
  icon?: IconName
  order: number
}

declare module 'vue-router' {
  interface RouteMeta {
    /** The vault state this screen belongs to; the children of AppFrame inherit `unlocked`. */
    access?: VaultStatus['state']
    /** The window title, and the page heading where the view uses it. */
    title?: string
    /** Listed in the side menu. */
    menu?: MenuEntry
    /** Listed in the user menu, top right (e.g. My apps, with the key icon). */
    userMenu?: DropdownEntry
    /** Listed in the home page's "+ Add password" drop-down. */
    addPassword?: DropdownEntry
  }
}
