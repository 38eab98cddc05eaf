import type { QRCodeRenderersOptions } from 'qrcode'

/** qrcode (with the PNG encoder it brings) loads when a QR is first drawn: most commands, and a CLI run, never draw one. */
const qrcode = () => import('qrcode').then((module) => module.default)

/**
 * QR renderings of a pairing URI, all made in main (the renderer only shows the image).
 * Error correction M keeps the code small enough for a phone at arm's length; the quiet
 * zone of 4 modules is what the QR standard asks for.
 */
const OPTIONS: QRCodeRenderersOptions = { errorCorrectionLevel: 'M', margin: 4 }

/** A PNG data URL for an <img> (the renderer's CSP allows `img-src data:`). */
export async function qrDataUrl(uri: string): Promise<string> {
  return (await qrcode()).toDataURL(uri, { ...OPTIONS, type: 'image/png', width: 320 })
}

/**
 * The QR drawn with Unicode half blocks for `keyhold app new`. With `ansi`, colours are set
 * explicitly (black on white) so it scans on dark terminals too; without, plain text.
 */
export async function qrTerminal(uri: string, ansi: boolean): Promise<string> {
  const QRCode = await qrcode()
  return ansi ? QRCode.toString(uri, { ...OPTIONS, type: 'terminal', small: true }) : QRCode.toString(uri, { ...OPTIONS, type: 'utf8' })
}
