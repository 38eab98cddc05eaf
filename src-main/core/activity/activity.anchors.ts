import { promises as fs } from 'node:fs'
import { dirname, join } from 'node:path'

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
    await writeDataFile(this.file, all)
  }

  /** The person accepted the vault as it is (a backup put back on purpose): the anchor follows it. */
  async reset(vaultId: string, anchor: Anchor | null): Promise<void> {
    const all = await this.readAll()
    if (anchor) all[vaultId] = anchor
    else delete all[vaultId]
    await writeDataFile(this.file, all)
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

/**
 * Writes one of the activity log's files in Keyhold's data folder as JSON, atomically, mode
 * 0600; the folder is made (0700) when the CLI runs before the app ever did.
 */
export async function writeDataFile(file: string, value: unknown): Promise<void> {
  await fs.mkdir(dirname(file), { recursive: true, mode: 0o700 })
  const { default: writeFileAtomic } = await import('write-file-atomic')
  await writeFileAtomic(file, `${JSON.stringify(value)}\n`, { mode: 0o600 })
}
