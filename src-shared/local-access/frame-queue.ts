/**
 * A FrameTransport's receiving half for adapters: push bodies as they arrive, `end` on close.
 */
export class FrameQueue {
  private readonly bodies: Uint8Array[] = []
  private readonly readers: Array<(body: Uint8Array | null) => void> = []
  private ended = false

  push(body: Uint8Array): void {
    const reader = this.readers.shift()
    if (reader) reader(body)
    else this.bodies.push(body)
  }

  end(): void {
    this.ended = true
    for (const reader of this.readers.splice(0)) reader(null)
  }

  next(): Promise<Uint8Array | null> {
    const body = this.bodies.shift()
    if (body) return Promise.resolve(body)
    if (this.ended) return Promise.resolve(null)
    return new Promise((resolve) => this.readers.push(resolve))
  }
}
