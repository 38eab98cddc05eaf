import { KeyholdError } from '../../../src-shared/errors'

/** What the commit queue drives: applying changes, saving them durably, and going back to the file. */
export interface CommitStore<Db> {
  /** Runs one change in a transaction of its own; a change that throws is rolled back and rejected alone. */
  apply(change: (db: Db) => unknown): unknown
  /** Writes everything applied so far, durably. */
  save(): Promise<void>
  /** After a failed save: the in-memory state becomes the file on disk again. */
  reload(): Promise<void>
  isClosed(): boolean
  close(): void
}

interface Pending<Db> {
  change: (db: Db) => unknown
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

/** How many times a batch is re-applied on top of another process's version before giving up. */
const RETRIES_ON_CHANGED_FILE = 3

/**
 * The order of changes and saves. Every change resolves only once it is durable. Group commit:
 * changes that arrive while a save is running are applied together, each in its own
 * transaction (so one that throws rejects alone), and written by one save, so a burst of
 * edits costs two saves, not one per edit. When the file was changed by another process
 * (VAULT_CHANGED_ON_DISK), the store reloads it and the batch is re-applied on top of that
 * version (changes must be re-runnable); on any other failure the store reloads the file's
 * last durable state and the batch is rejected. Saves that change no data (the header, the
 * keys) run in the same order, after everything queued before them.
 */
export class CommitQueue<Db> {
  private saving: Promise<unknown> = Promise.resolve()
  private readonly pending: Array<Pending<Db>> = []

  constructor(private readonly store: CommitStore<Db>) {}

  /** Applies `change` and resolves with its result once it is saved. */
  mutate<T>(change: (db: Db) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ change, resolve: resolve as (value: unknown) => void, reject })
      if (this.pending.length > 1) return
      this.enqueue(() => this.commit(this.pending.splice(0)))
    })
  }

  /** Runs `save` (a save that changes no data) after every change and save queued before it. */
  exclusive(save: () => Promise<void>): Promise<void> {
    return this.enqueue(save)
  }

  /** Resolves once every change and save asked for so far is done (or failed). */
  async settled(): Promise<void> {
    while (this.pending.length > 0) await this.saving
    await this.saving
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const next = this.saving.then(task)
    this.saving = next.catch(() => undefined)
    return next
  }

  private async commit(batch: Array<Pending<Db>>, attempt = 0): Promise<void> {
    const applied: Array<{ pending: Pending<Db>; result: unknown }> = []
    for (const pending of batch) {
      try {
        applied.push({ pending, result: this.store.apply(pending.change) })
      } catch (error) {
        pending.reject(error)
      }
    }
    if (applied.length === 0) return
    try {
      await this.store.save()
    } catch (error) {
      if (!this.store.isClosed()) await this.store.reload().catch(() => this.store.close())
      if (isChangedOnDisk(error) && attempt < RETRIES_ON_CHANGED_FILE && !this.store.isClosed())
        return this.commit(
          applied.map((a) => a.pending),
          attempt + 1,
        )
      for (const { pending } of applied) pending.reject(error)
      return
    }
    for (const { pending, result } of applied) pending.resolve(result)
  }
}

const isChangedOnDisk = (error: unknown) => error instanceof KeyholdError && error.code === 'VAULT_CHANGED_ON_DISK'
