import { promises as fs } from 'node:fs'
import { join } from 'node:path'

/** The newest head of a vault's log this computer has seen: its seq and MAC (base64). */
export interface Anchor {
  seq: number
  mac: string
}

/**
 * Where Keyhold remembers, outside the vault, the newest head of each vault's activity log
 * (docs/activity-log.md §3): `<app data>/activity-anchors.json`, public facts only. A vault
 * file put back from an older copy has a log that ends before it. Shared by the app and the
 * CLI; a lost update only makes the check weaker, never wrong, since an anchor only grows.
 */
export class AnchorStore {
  private readonly file: string

  constructor(folder: string) {
    this.file = join(folder, 'activity-anchors.json')
  }

  async get(vaultId: string): Promise<Anchor | null> {
    const all = await this.readAll()
    const anchor = all[vaultId]
    return anchor && Number.isInteger(anchor.seq) && typeof anchor.mac === 'string' ? anchor : null
  }

  /** Moves the vault's anchor forward to `anchor` (never back). */
  async advance(vaultId: string, anchor: Anchor): Promise<void> {
    const all = await this.readAll()
    if ((all[vaultId]?.seq ?? 0) >= anchor.seq) return
    all[vaultId] = anchor
    const { default: writeFileAtomic } = await import('write-file-atomic')
    await writeFileAtomic(this.file, `${JSON.stringify(all)}\n`, { mode: 0o600 })
  }

  /** The person accepted the vault as it is (a backup put back on purpose): the anchor follows it. */
  async reset(vaultId: string, anchor: Anchor | null): Promise<void> {
    const all = await this.readAll()
    if (anchor) all[vaultId] = anchor
    else delete all[vaultId]
    const { default: writeFileAtomic } = await import('write-file-atomic')
    await writeFileAtomic(this.file, `${JSON.stringify(all)}\n`, { mode: 0o600 })
  }

  private async readAll(): Promise<Record<string, Anchor>> {
    try {
      const parsed = JSON.parse(await fs.readFile(this.file, 'utf8')) as unknown
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, Anchor>) : {}
    } catch {
      return {}
    }
  }
}
