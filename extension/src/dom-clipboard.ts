import type { ClipboardAccess } from './clipboard-watch'

/**
 * The clipboard through `document.execCommand`, for a page nobody looks at (Chromium's
 * offscreen document, Firefox's background page), where the async Clipboard API needs a
 * focus it never has. Reading needs the `clipboardRead` permission; emptying, `clipboardWrite`.
 */
export function domClipboard(doc: Document): ClipboardAccess {
  return {
    async readText() {
      const area = doc.createElement('textarea')
      doc.body.append(area)
      try {
        area.focus()
        return doc.execCommand('paste') ? area.value : null
      } finally {
        area.remove()
      }
    },
    async clear() {
      const empty = (event: ClipboardEvent) => {
        event.clipboardData?.setData('text/plain', '')
        event.preventDefault()
      }
      doc.addEventListener('copy', empty)
      try {
        return doc.execCommand('copy')
      } finally {
        doc.removeEventListener('copy', empty)
      }
    },
  }
}
