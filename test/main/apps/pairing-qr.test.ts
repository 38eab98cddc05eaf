import jsQR from 'jsqr'
import { PNG } from 'pngjs'
import QRCode from 'qrcode'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCode } from '../../../src-shared/apps/authorization-code'
import { parsePairingUri } from '../../../src-shared/apps/pairing-uri'
import type { AppCreated } from '../../../src-shared/types/apps'
import { qrTerminal } from '../../../src-main/core/apps/pairing-qr'
import type { Services } from '../../../src-main/core/services'
import { unlockedServices } from '../../support/vault'

/** Decodes a PNG with a real QR reader (jsQR), as a phone camera would. */
function decodePng(png: Buffer): string | undefined {
  const image = PNG.sync.read(png)
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data
}

/** Turns the half-block text drawing back into pixels (8 per module) and decodes it. */
function decodeBlocks(text: string): string | undefined {
  const rows: boolean[][] = []
  for (const line of text.split('\n')) {
    const top: boolean[] = []
    const bottom: boolean[] = []
    for (const char of line) {
      top.push(char === '█' || char === '▀')
      bottom.push(char === '█' || char === '▄')
    }
    rows.push(top, bottom)
  }
  const scale = 8
  const width = Math.max(...rows.map((r) => r.length)) * scale
  const height = rows.length * scale
  const data = new Uint8ClampedArray(width * height * 4).fill(255)
  rows.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (!dark) return
      for (let dy = 0; dy < scale; dy++)
        for (let dx = 0; dx < scale; dx++) data.fill(0, ((y * scale + dy) * width + x * scale + dx) * 4, ((y * scale + dy) * width + x * scale + dx) * 4 + 3)
    }),
  )
  return jsQR(data, width, height)?.data
}

describe('the My apps QR code', () => {
  let services: Services
  let cleanup: () => void
  let created: AppCreated

  beforeAll(async () => {
    ;({ services, cleanup } = await unlockedServices())
    created = await services.apps.create({ name: 'Phone', type: 'mobile', expiresAt: '2099-06-30T18:30:00.000Z' })
  })
  afterAll(() => cleanup())

  it('decodes from the image returned by create to exactly the pairing URI, whose key is the manual code', () => {
    const [, base64] = created.qr.split(',')
    const decoded = decodePng(Buffer.from(base64!, 'base64'))
    expect(decoded).toBe(created.uri)
    const payload = parsePairingUri(decoded!)
    expect(payload).toMatchObject({ ok: true, value: { appId: created.app.id, code: created.code, expiresAt: '2099-06-30T18:30:00.000Z' } })
    expect(payload.ok && parseCode(payload.value.code)).toEqual(parseCode(created.code))
  })

  it('decodes from a PNG rendered with qrcode.toBuffer to the same URI', async () => {
    const png = await QRCode.toBuffer(created.uri, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 6 })
    expect(decodePng(png)).toBe(created.uri)
  })

  it('decodes from the drawing `keyhold app new` prints to the same URI', async () => {
    const text = await qrTerminal(created.uri, false)
    expect(text).toMatch(/[█▀▄]/)
    expect(decodeBlocks(text)).toBe(created.uri)
  })

  it('draws with explicit black-on-white colours on a terminal', async () => {
    const text = await qrTerminal(created.uri, true)
    expect(text).toContain('\x1b[47m')
  })
})
