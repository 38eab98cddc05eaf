import { describe, expect, it } from 'vitest'
import { encodeBody, FrameError, FrameReader, streamHead, withLengthPrefix } from '../../../src-shared/local-access/frames'

/** The framing on a byte stream (docs/pairing-protocol.md §2.1, §2.2). */
describe('frames on a byte stream', () => {
  it('streamHead then the data are the bytes of withLengthPrefix(encodeBody(kind, data)), and read back as that body', () => {
    for (const length of [1, 1_000, 65_535]) {
      const data = Uint8Array.from({ length }, (_, i) => i % 251)
      const whole = withLengthPrefix(encodeBody('transport', data))
      const pieces = Buffer.concat([streamHead('transport', data.length), data.subarray(0, 7), data.subarray(7)])
      expect(Uint8Array.from(pieces)).toEqual(whole)
      expect(new FrameReader().push(Uint8Array.from(pieces))).toEqual([encodeBody('transport', data)])
    }
  })

  it('refuses a head for a frame out of bounds, as encodeBody does', () => {
    expect(() => streamHead('transport', 65_536)).toThrow(FrameError)
    expect(() => streamHead('transport', 0)).toThrow(FrameError)
    expect(() => streamHead('clear', 1_024)).toThrow(/CLEAR/)
    expect(() => encodeBody('transport', new Uint8Array(65_536))).toThrow(FrameError)
  })
})
