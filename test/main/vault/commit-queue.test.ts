import { describe, expect, it } from 'vitest'
import { KeyholdError } from '../../../src-shared/errors'
import { CommitQueue, type CommitStore } from '../../../src-main/core/vault/commit-queue'

/**
 * A store with no database: "the database" is a list of numbers, a save copies it to "the
 * disk" (or fails as told), a reload copies the disk back. What the queue does is seen in the
 * log of calls.
 */
class FakeStore implements CommitStore<number[]> {
  memory: number[] = []
  disk: number[] = []
  log: string[] = []
  failures: unknown[] = []
  reloadFails = false
  closed = false
  /** Resolves the save in progress, when saves are held. */
  private held: Array<() => void> = []
  holdSaves = false

  apply(change: (db: number[]) => unknown): unknown {
    const before = [...this.memory]
    try {
      return change(this.memory)
    } catch (error) {
      this.memory = before
      throw error
    }
  }

  async save(): Promise<void> {
    this.log.push(`save [${this.memory.join(',')}]`)
    if (this.holdSaves) await new Promise<void>((resolve) => this.held.push(resolve))
    const failure = this.failures.shift()
    if (failure) throw failure
    this.disk = [...this.memory]
  }

  async reload(): Promise<void> {
    this.log.push('reload')
    if (this.reloadFails) throw new Error('unreadable')
    this.memory = [...this.disk]
  }

  isClosed(): boolean {
    return this.closed
  }

  close(): void {
    this.log.push('close')
    this.closed = true
  }

  releaseSave(): void {
    this.held.shift()?.()
  }
}

const changedOnDisk = () => new KeyholdError('VAULT_CHANGED_ON_DISK', 'changed')
const push = (n: number) => (db: number[]) => db.push(n)
const tick = () => new Promise((resolve) => setImmediate(resolve))

describe('CommitQueue', () => {
  it('resolves a change with its result once it is saved', async () => {
    const store = new FakeStore()
    const queue = new CommitQueue(store)
    await expect(queue.mutate(push(1))).resolves.toBe(1)
    expect(store.disk).toEqual([1])
  })

  it('applies the changes that arrive during a save together and writes them with one save', async () => {
    const store = new FakeStore()
    store.holdSaves = true
    const queue = new CommitQueue(store)
    const first = queue.mutate(push(1))
    await tick()
    const burst = [2, 3, 4].map((n) => queue.mutate(push(n)))
    store.releaseSave()
    await first
    await tick()
    store.releaseSave()
    await Promise.all(burst)
    expect(store.log).toEqual(['save [1]', 'save [1,2,3,4]'])
    expect(store.disk).toEqual([1, 2, 3, 4])
  })

  it('rejects a change that throws alone, and saves the others of its batch', async () => {
    const store = new FakeStore()
    const queue = new CommitQueue(store)
    const results = await Promise.allSettled([
      queue.mutate(push(1)),
      queue.mutate((db) => {
        db.push(99)
        throw new Error('refused')
      }),
      queue.mutate(push(2)),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect(store.disk).toEqual([1, 2])
  })

  it('saves nothing when every change of a batch throws', async () => {
    const store = new FakeStore()
    const queue = new CommitQueue(store)
    const refused = () => {
      throw new Error('refused')
    }
    await expect(queue.mutate(refused)).rejects.toThrow('refused')
    expect(store.log).toEqual([])
  })

  it('re-applies a batch on top of the reloaded file when the file changed on disk', async () => {
    const store = new FakeStore()
    store.disk = [7]
    store.failures = [changedOnDisk()]
    const queue = new CommitQueue(store)
    await queue.mutate(push(1))
    expect(store.log).toEqual(['save [1]', 'reload', 'save [7,1]'])
    expect(store.disk).toEqual([7, 1])
  })

  it('gives up after three re-applications, rejecting the batch with VAULT_CHANGED_ON_DISK', async () => {
    const store = new FakeStore()
    store.failures = [changedOnDisk(), changedOnDisk(), changedOnDisk(), changedOnDisk()]
    const queue = new CommitQueue(store)
    await expect(queue.mutate(push(1))).rejects.toMatchObject({ code: 'VAULT_CHANGED_ON_DISK' })
    expect(store.log.filter((l) => l.startsWith('save'))).toHaveLength(4)
    expect(store.memory).toEqual([])
  })

  it('goes back to the file and rejects the batch on any other failure', async () => {
    const store = new FakeStore()
    store.failures = [new KeyholdError('DISK_FULL', 'full')]
    const queue = new CommitQueue(store)
    await expect(queue.mutate(push(1))).rejects.toMatchObject({ code: 'DISK_FULL' })
    expect(store.log).toEqual(['save [1]', 'reload'])
    expect(store.memory).toEqual([])
    // The next change goes through.
    await queue.mutate(push(2))
    expect(store.disk).toEqual([2])
  })

  it('closes the store when it cannot go back to the file, and does not retry', async () => {
    const store = new FakeStore()
    store.failures = [changedOnDisk()]
    store.reloadFails = true
    const queue = new CommitQueue(store)
    await expect(queue.mutate(push(1))).rejects.toMatchObject({ code: 'VAULT_CHANGED_ON_DISK' })
    expect(store.log).toEqual(['save [1]', 'reload', 'close'])
  })

  it('runs an exclusive save after the changes queued before it, and settles once all are done', async () => {
    const store = new FakeStore()
    store.holdSaves = true
    const queue = new CommitQueue(store)
    const change = queue.mutate(push(1))
    const header = queue.exclusive(async () => void store.log.push('header'))
    let settled = false
    const settling = queue.settled().then(() => (settled = true))
    await tick()
    expect(store.log).toEqual(['save [1]'])
    expect(settled).toBe(false)
    store.releaseSave()
    await Promise.all([change, header, settling])
    expect(store.log).toEqual(['save [1]', 'header'])
  })

  it('rejects an exclusive save that fails, and goes on with the next', async () => {
    const store = new FakeStore()
    const queue = new CommitQueue(store)
    await expect(queue.exclusive(() => Promise.reject(new Error('header not saved')))).rejects.toThrow('header not saved')
    await expect(queue.mutate(push(1))).resolves.toBe(1)
  })
})
