/**
 * Main draws the pairing QR as a PNG of a fixed width, so a module is a fraction of a pixel
 * wide and, scaled to the screen, modules come out unequal (one pixel wider here and there),
 * which some phone cameras misread. This reads the modules back from that PNG and draws
 * them again at a whole number of pixels each. Nothing is decoded or re-encoded: the dark
 * and light squares are copied as they are, quiet zone included.
 */

/** The modules of a QR image, quiet zone included: `dark[row][column]`. */
export interface QrModules {
  size: number
  dark: boolean[][]
}

/** Reads the module grid from the pixels of a QR drawn with square modules and a quiet zone. */
export function readModules(pixels: ImageData | null): QrModules | null {
  if (!pixels) return null
  const { width, height, data } = pixels
  const isDark = (x: number, y: number) => data[(y * width + x) * 4]! < 128
  // The top-left finder pattern's top edge: its first row is 7 modules of dark in a row.
  let corner = -1
  for (let i = 0; i < Math.min(width, height); i++)
    if (isDark(i, i)) {
      corner = i
      break
    }
  if (corner < 0) return null
  // Two estimates of the size: from the finder's width (7 modules), and from the quiet zones
  // around the first row's dark span (8 modules), snapped to a QR size (21 + 4 per version, + 8).
  let run = 0
  while (corner + run < width && isDark(corner + run, corner)) run++
  let end = width - 1
  while (end > corner && !isDark(end, corner)) end--
  const estimate = (width / (run / 7) + (8 * width) / (width - (end + 1 - corner))) / 2
  const size = 29 + 4 * Math.round((estimate - 29) / 4)
  if (!Number.isFinite(size) || size < 29 || size > 185) return null
  const step = width / size
  const dark = Array.from({ length: size }, (_, row) =>
    Array.from({ length: size }, (_, column) => isDark(Math.floor((column + 0.5) * step), Math.floor((row + 0.5) * step))),
  )
  return { size, dark }
}

/** The modules drawn at `scale` pixels each, black on white, as a PNG data URL. */
export function drawModules(modules: QrModules, scale: number): string {
  const canvas = document.createElement('canvas')
  canvas.width = canvas.height = modules.size * scale
  const context = canvas.getContext('2d')!
  context.fillStyle = '#fff'
  context.fillRect(0, 0, canvas.width, canvas.height)
  context.fillStyle = '#000'
  modules.dark.forEach((row, y) => row.forEach((on, x) => on && context.fillRect(x * scale, y * scale, scale, scale)))
  return canvas.toDataURL('image/png')
}

/** Loads a PNG data URL and gives its pixels. */
export async function loadPixels(src: string): Promise<ImageData> {
  const image = new Image()
  image.src = src
  await image.decode()
  const canvas = document.createElement('canvas')
  canvas.width = image.naturalWidth
  canvas.height = image.naturalHeight
  const context = canvas.getContext('2d')!
  context.drawImage(image, 0, 0)
  return context.getImageData(0, 0, canvas.width, canvas.height)
}
