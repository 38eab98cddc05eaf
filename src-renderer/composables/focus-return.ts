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

/**
 * Gives focus back, once the calling dialog is gone, to the control that opened it. That
 * is the focused control when the dialog is set up; when focus sits on no control then
 * (a dialog opened by a route: the page frame focuses its main region on navigation), it
 * is the last control that had focus. Nothing happens when that control is gone too.
 */
export function useFocusReturn(): void {
  const active = typeof document === 'undefined' ? null : document.activeElement
  const opener = active instanceof HTMLElement && active.matches(CONTROL) ? active : lastControl
  // After the DOM is gone, and after a dialog nested in this one has given focus back first.
  onUnmounted(() => {
    if (opener?.isConnected) opener.focus()
  })
}
