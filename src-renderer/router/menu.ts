import { computed, type ComputedRef } from 'vue'
import { useRouter, type RouteRecordNormalized } from 'vue-router'
import { t } from '../i18n'
import type { IconName } from '../components/icons'
import type { DropdownEntry, MenuEntryMeta } from './meta'

/** A named route and its entry, ready to render as a link or a menu item. */
export interface MenuLink<E> {
  name: string
  entry: E
}

/** A side menu entry with its words in the app's language. */
export interface MenuEntry {
  label: string
  icon: IconName
  order: number
  section?: string
  description?: string
}

export interface MenuSection {
  /** Undefined for the top level. */
  title: string | undefined
  links: MenuLink<MenuEntry>[]
}

function collect<E extends { order: number }>(records: RouteRecordNormalized[], pick: (r: RouteRecordNormalized) => E | undefined): MenuLink<E>[] {
  return records
    .flatMap((record) => {
      const entry = pick(record)
      return entry && typeof record.name === 'string' ? [{ name: record.name, entry }] : []
    })
    .sort((a, b) => a.entry.order - b.entry.order)
}

/** A route's side menu entry in the app's language (its meta holds message keys). */
function translated(entry: MenuEntryMeta): MenuEntry {
  return {
    ...entry,
    label: t(entry.label),
    section: entry.section === undefined ? undefined : t(entry.section),
    description: entry.description === undefined ? undefined : t(entry.description),
  }
}

/**
 * The side menu, user menu and "+ Add password" entries, read from the routes' meta, their
 * words in the app's language (computed, so a change of language shows at once).
 */
export function useMenus(): {
  sections: ComputedRef<MenuSection[]>
  userMenu: ComputedRef<MenuLink<DropdownEntry>[]>
  addPassword: ComputedRef<MenuLink<DropdownEntry>[]>
} {
  const router = useRouter()
  const records = router.getRoutes()
  const sections = computed(() => {
    const bySection = new Map<string | undefined, MenuLink<MenuEntry>[]>()
    for (const link of collect(records, (r) => (r.meta.menu ? translated(r.meta.menu) : undefined))) {
      const title = link.entry.section
      bySection.set(title, [...(bySection.get(title) ?? []), link])
    }
    const top = bySection.get(undefined) ?? []
    bySection.delete(undefined)
    const split = top.findIndex((link) => link.entry.order >= 1000)
    const head = split < 0 ? top : top.slice(0, split)
    const tail = split < 0 ? [] : top.slice(split)
    return [
      { title: undefined, links: head },
      ...[...bySection].map(([title, links]) => ({ title, links })),
      ...(tail.length ? [{ title: undefined, links: tail }] : []),
    ].filter((section) => section.links.length > 0)
  })
  return {
    sections,
    userMenu: computed(() => collect(records, (r) => r.meta.userMenu && { ...r.meta.userMenu, label: t(r.meta.userMenu.label) })),
    addPassword: computed(() => collect(records, (r) => r.meta.addPassword && { ...r.meta.addPassword, label: t(r.meta.addPassword.label) })),
  }
}
