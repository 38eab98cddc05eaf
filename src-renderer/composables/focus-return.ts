import { onUnmounted } from 'vue'

/** What a person opens a dialog with: a button, a link, a field, a menu item. */
const CONTROL = 'button, a[href], input, select, textarea, [role="menuitem"]'

let lastControl: HTMLElement | null = null
if (typeof document !== 'undefined')
  document.addEventListener(
    'focusin',
    (event) => {
      if (event.target instanceof HTMLElement && event.target.matches(CONTROL)) lastControl = event.target
    },
    true,
  )

/** Where focus goes when the control that opened a dialog is gone: the page's main action. */
const MAIN_ACTION = '.page-header .btn-primary'

/**
 * Gives focus back, once the calling dialog is gone, to the control that opened it. That
 * is the focused control when the dialog is set up; when focus sits on no control then
 * (a dialog opened by a route: the page frame focuses its main region on navigation), it
 * is the last control that had focus. When that control is gone too (Home's "+ Add password"
 * opened the form on its page; the row it was opened from was deleted), focus goes to the
 * page's main action ("+ Add API secret"), once the page has settled.
 */
export function useFocusReturn(): void {
  const active = typeof document === 'undefined' ? null : document.activeElement
  const opener = active instanceof HTMLElement && active.matches(CONTROL) ? active : lastControl
  // After the DOM is gone, and after a dialog nested in this one has given focus back first.
  onUnmounted(() => {
    if (opener?.isConnected) return opener.focus()
    setTimeout(() => {
      // Unless something (another dialog) took focus meanwhile.
      if (document.activeElement && document.activeElement !== document.body && document.activeElement.matches(CONTROL)) return
      document.querySelector<HTMLElement>(MAIN_ACTION)?.focus()
    }, 0)
  })
}
