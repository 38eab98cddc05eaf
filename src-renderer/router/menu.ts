import { computed, type ComputedRef } from 'vue'
import { useRouter, type RouteRecordNormalized } from 'vue-router'
import type { DropdownEntry, MenuEntry } from './meta'

/** A named route and its entry, ready to render as a link or a menu item. */
export interface MenuLink<E> {
  name: string
  entry: E
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

/** The side menu, user menu and "+ Add password" entries, read from the routes' meta. */
export function useMenus(): {
  sections: ComputedRef<MenuSection[]>
  userMenu: ComputedRef<MenuLink<DropdownEntry>[]>
  addPassword: ComputedRef<MenuLink<DropdownEntry>[]>
} {
  const router = useRouter()
  const records = router.getRoutes()
  const sections = computed(() => {
    const bySection = new Map<string | undefined, MenuLink<MenuEntry>[]>()
    for (const link of collect(records, (r) => r.meta.menu)) {
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
    userMenu: computed(() => collect(records, (r) => r.meta.userMenu)),
    addPassword: computed(() => collect(records, (r) => r.meta.addPassword)),
  }
}
