/**
 * Filling a Client ID or client secret into the page, on the person's request only: the
 * popup's Fill button runs `fillFocusedField` once in the tab the popup was opened on (the
 * activeTab grant of that click), and it writes into the field that has the focus there.
 * Never automatic, never into a field the person did not pick, never into another tab.
 */

export type FillOutcome = 'filled' | 'no-field' | 'not-editable' | 'in-frame'

/**
 * Runs inside the page (chrome.scripting serializes it): self-contained, no imports, no
 * closures. Sets the value the way typing would be seen by the page's scripts (the
 * prototype's setter, then `input` and `change` events).
 */
export function fillFocusedField(value: string): FillOutcome {
  let element: Element | null = document.activeElement
  while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement
  if (!element || element === document.body || element === document.documentElement) return 'no-field'
  const name = element.localName
  if (name === 'iframe' || name === 'frame') return 'in-frame'
  const textTypes = ['text', 'password', 'email', 'search', 'url', 'tel']
  const field = name === 'textarea' || (name === 'input' && textTypes.includes((element as HTMLInputElement).type)) ? (element as HTMLInputElement | HTMLTextAreaElement) : null
  if (!field || field.disabled || field.readOnly) return 'not-editable'
  const prototype = name === 'textarea' ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype
  const setter = Object.getOwnPropertyDescriptor(prototype, 'value')?.set
  if (setter) setter.call(field, value)
  else field.value = value
  field.dispatchEvent(new Event('input', { bubbles: true }))
  field.dispatchEvent(new Event('change', { bubbles: true }))
  return 'filled'
}

/** What the popup says after a fill. */
export const FILL_WORDS: Record<FillOutcome | 'refused', string> = {
  filled: 'Filled into the field you selected on the page.',
  'no-field': 'Click into the field on the page first, then choose Fill again.',
  'not-editable': 'The selected element on the page is not a text field Keyhold can fill.',
  'in-frame': 'The selected field is inside a frame. Copy the value instead.',
  refused: 'Keyhold cannot fill this page. Open the Keyhold button on the page you want to fill, then choose Fill.',
}

/** What the popup asks before filling into an unencrypted page. */
export const UNENCRYPTED_WARNING = 'This page is not encrypted (http). Fill anyway?'

/**
 * Whether Fill must ask first: a page served over plain http from anywhere but this computer
 * (localhost, *.localhost, 127.0.0.0/8, ::1), where anyone on the way can read what is typed.
 */
export function unencryptedPage(url: string | null | undefined): boolean {
  let parsed: URL
  try {
    parsed = new URL(url ?? '')
  } catch {
    return false
  }
  if (parsed.protocol !== 'http:') return false
  const host = parsed.hostname.toLowerCase().replace(/\.$/, '')
  const local = host === 'localhost' || host.endsWith('.localhost') || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === '[::1]'
  return !local
}
