import type { SecretSummary } from '../../../src-shared/types/secrets'
import type { PairingView } from '../../../src-shared/local-access/messages'
import { codeInputState } from '../code-input'
import type { PageMatch } from '../ranking'
import type { AppLabel } from '../pairing-progress'
import { button, h } from './dom'

/**
 * The popup's screens, one builder each: they take what to show and what to call, build the
 * DOM, and return it with a handle for the parts that change in place (a hint, the results).
 * They read no browser API and hold no session, so a test page can show every one of them.
 */

export type Tone = 'info' | 'success' | 'error'

/** A screen saying one thing, with what to do next: locked, not running, disconnected, failed. */
export function messageScreen(options: { title: string; body: Array<string | Node>; actions?: HTMLButtonElement[]; tone?: Tone; name: string }): HTMLElement {
  return h(
    'section',
    { class: `screen message tone-${options.tone ?? 'info'}`, 'data-screen': options.name, 'aria-labelledby': 'screen-title' },
    h('h1', { id: 'screen-title' }, options.title),
    ...options.body.map((part) => (typeof part === 'string' ? h('p', {}, part) : part)),
    options.actions?.length ? h('div', { class: 'actions' }, ...options.actions) : null,
  )
}

export function loadingScreen(text: string): HTMLElement {
  return h('section', { class: 'screen loading', 'data-screen': 'loading', 'aria-busy': 'true' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), h('p', { role: 'status' }, text))
}

/** Not paired: the code field, checked as it is typed, and Pair. */
export function unpairedScreen(options: { error?: string; notice?: string; onPair(text: string): void }): HTMLElement {
  const input = h('input', {
    id: 'code',
    class: 'code',
    type: 'text',
    autocomplete: 'off',
    autocapitalize: 'characters',
    spellcheck: 'false',
    'aria-describedby': 'code-hint',
    placeholder: 'XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX',
  })
  const hint = h('p', { id: 'code-hint', class: 'hint', 'aria-live': 'polite' })
  const pairButton = button('Pair', () => submit(), { class: 'primary', disabled: true })
  const update = () => {
    const state = codeInputState(input.value)
    hint.textContent = state.message
    hint.className = `hint hint-${state.kind}`
    input.setAttribute('aria-invalid', String(state.kind === 'problem'))
    pairButton.disabled = state.kind !== 'ready'
    return state
  }
  const submit = () => {
    if (update().kind === 'ready') options.onPair(input.value)
  }
  input.addEventListener('input', update)
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') submit()
  })
  update()
  queueMicrotask(() => input.focus())
  return h(
    'section',
    { class: 'screen unpaired', 'data-screen': 'unpaired', 'aria-labelledby': 'screen-title' },
    h('h1', { id: 'screen-title' }, 'Pair with Keyhold'),
    options.error ? h('p', { class: 'banner tone-error', role: 'alert' }, options.error) : null,
    options.notice ? h('p', { class: 'banner tone-success', role: 'status' }, options.notice) : null,
    h('p', { class: 'lead' }, 'In Keyhold, open ', h('b', {}, 'My apps'), ', choose ', h('b', {}, '+ New key'), ' with the type ', h('b', {}, 'Extension'), ', and type the code shown under its QR code.'),
    h('label', { for: 'code' }, 'Authorization code'),
    input,
    hint,
    h('div', { class: 'actions' }, pairButton),
  )
}

/** A pairing in progress: connecting, then the check phrase in large type and "Approve on your computer". */
export function pairingScreen(options: { phrase: string | null; app: AppLabel | null; waiting: boolean; onCancel(): void }): HTMLElement {
  if (options.phrase === null) return loadingScreen('Connecting to Keyhold…')
  const words = options.phrase.split(' ')
  return h(
    'section',
    { class: 'screen pairing', 'data-screen': 'pairing', 'aria-labelledby': 'screen-title' },
    h('h1', { id: 'screen-title' }, 'Approve on your computer'),
    h('p', { class: 'lead' }, 'Keyhold asks ', h('b', {}, 'Approve this device?'), options.app ? ` for “${options.app.name}”.` : '.', ' Approve only if it shows these four words:'),
    h('p', { class: 'phrase', 'aria-label': `Check phrase: ${options.phrase}`, 'data-phrase': options.phrase }, ...words.map((word) => h('span', {}, word))),
    h(
      'p',
      { class: 'hint', role: 'status' },
      options.waiting ? h('span', { class: 'spinner small', 'aria-hidden': 'true' }) : null,
      options.waiting ? 'Waiting for your approval (2 minutes at most).' : 'Keyhold is checking the device…',
    ),
    h('div', { class: 'actions' }, button('Cancel', options.onCancel)),
  )
}

export function lockedScreen(options: { asked: boolean; onUnlock(): void }): HTMLElement {
  return messageScreen({
    name: 'locked',
    title: 'Keyhold is locked',
    body: [
      'Unlock Keyhold on your computer. This continues by itself once it is unlocked.',
      options.asked ? h('p', { class: 'banner tone-success', role: 'status' }, 'Keyhold was asked to show its unlock screen.') : '',
    ].filter(Boolean),
    actions: [button('Show the unlock screen', options.onUnlock, { class: 'primary', disabled: options.asked })],
  })
}

export function notRunningScreen(options: { lead?: string; onRetry(): void }): HTMLElement {
  return messageScreen({
    name: 'not-running',
    title: 'Keyhold is not running',
    tone: 'error',
    body: [
      options.lead ?? '',
      h('p', {}, 'Open Keyhold on this computer and unlock it, with ', h('b', {}, 'Settings > Connected apps'), ' on. In a terminal, ', h('code', {}, 'keyhold agent'), ' serves the vault too.'),
    ].filter(Boolean),
    actions: [button('Try again', options.onRetry, { class: 'primary' })],
  })
}

export function hostMissingScreen(options: { onRetry(): void }): HTMLElement {
  return messageScreen({
    name: 'host-missing',
    title: 'Browser integration is off',
    tone: 'error',
    body: [
      h('p', {}, 'This browser cannot reach Keyhold yet. In Keyhold, open ', h('b', {}, 'Settings > Browser integration'), ' and turn it on (or run ', h('code', {}, 'keyhold browser install'), '), then try again.'),
    ],
    actions: [button('Try again', options.onRetry, { class: 'primary' })],
  })
}

/** The host refused this extension: the pairing is kept, it may still be active in Keyhold. */
export function hostRefusedScreen(options: { message: string; onRetry(): void }): HTMLElement {
  return messageScreen({
    name: 'host-refused',
    title: 'Browser integration refused',
    tone: 'error',
    body: [options.message, 'This browser is still paired with Keyhold: nothing was forgotten.'],
    actions: [button('Try again', options.onRetry, { class: 'primary' })],
  })
}

export function endedScreen(options: { app: string | null; onPairAgain(): void }): HTMLElement {
  return messageScreen({
    name: 'ended',
    title: 'Disconnected in Keyhold',
    tone: 'error',
    body: [
      `${options.app ? `The pairing “${options.app}”` : 'This browser’s pairing'} was ended in Keyhold: revoked in Connected apps or My apps, expired, or unused for too long. This browser can no longer read API secrets, and it has forgotten the pairing.`,
      'To use Keyhold here again, create a new Extension key in My apps and pair again.',
    ],
    actions: [button('Pair again', options.onPairAgain, { class: 'primary' })],
  })
}

export function failedScreen(options: { title: string; message: string; action: string; onRetry(): void }): HTMLElement {
  return messageScreen({ name: 'failed', title: options.title, tone: 'error', body: [options.message], actions: [button(options.action, options.onRetry, { class: 'primary' })] })
}

/** One API secret in the results, with the page's match if any. */
export interface ResultItem {
  secret: SecretSummary
  match: PageMatch
}

export interface PairedHandlers {
  onSearch(query: string): void
  onCopy(secret: SecretSummary, field: 'clientId' | 'clientSecret'): void
  onFill(secret: SecretSummary, field: 'clientId' | 'clientSecret'): void
  onSignOut(): void
}

export interface PairedScreen {
  root: HTMLElement
  showResults(items: ResultItem[], summary: string): void
  setStatus(text: string, tone?: Tone): void
  /** Asks in the status line before going on: `onYes` runs on the `action` button only; Cancel or a new status drops the question. */
  ask(text: string, action: string, onYes: () => void): void
}

/**
 * Paired: which pairing this is, the search, the results (this page's host first), and Sign
 * out. `fillTarget` is the page Fill writes into, or null when there is none Keyhold may fill.
 */
export function pairedScreen(options: { pairing: PairingView; vaultId: string; fillTarget: string | null; handlers: PairedHandlers }): PairedScreen {
  const { pairing, handlers } = options
  const search = h('input', { id: 'search', type: 'search', maxlength: '200', autocomplete: 'off', spellcheck: 'false', placeholder: 'Name, URL, Identifier or tag', 'aria-label': 'Search API secrets' })
  let timer: ReturnType<typeof setTimeout> | undefined
  search.addEventListener('input', () => {
    clearTimeout(timer)
    timer = setTimeout(() => handlers.onSearch(search.value), 150)
  })
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' })
  const summary = h('p', { class: 'summary muted' })
  const list = h('ul', { class: 'results', 'aria-label': 'API secrets' })
  const scope = pairing.scope.secrets === 'all' ? 'All API secrets' : `API secrets tagged ${pairing.scope.tags.join(', ')}`
  const reveal = pairing.reveal === 'ask' ? 'client secrets asked on your computer' : 'client secrets without asking'
  queueMicrotask(() => search.focus())
  const root = h(
    'section',
    { class: 'screen paired', 'data-screen': 'paired', 'aria-label': 'Keyhold' },
    h(
      'div',
      { class: 'connected' },
      h('span', { class: 'dot', 'aria-hidden': 'true' }),
      h('span', {}, 'Connected as ', h('b', { class: 'app-name' }, pairing.app.name)),
      h('span', { class: 'vault muted', title: `Vault ${options.vaultId}` }, `vault ${options.vaultId.slice(0, 6)}`),
    ),
    h('p', { class: 'scope muted' }, `${scope} · ${reveal}`),
    search,
    status,
    summary,
    list,
    h(
      'footer',
      {},
      h('span', { class: 'muted' }, options.fillTarget ? `Fill writes into the selected field on ${options.fillTarget}.` : 'Open Keyhold on a web page to fill its fields.'),
      button('Sign out', handlers.onSignOut, { class: 'quiet' }),
    ),
  )
  return {
    root,
    setStatus(text, tone = 'info') {
      status.textContent = text
      status.className = `status tone-${tone}`
    },
    ask(text, action, onYes) {
      const cancel = button('Cancel', () => {
        status.textContent = ''
        status.className = 'status'
      })
      const yes = button(action, () => {
        status.textContent = ''
        status.className = 'status'
        onYes()
      })
      status.replaceChildren(h('span', {}, text), h('span', { class: 'actions' }, yes, cancel))
      status.className = 'status tone-error'
      queueMicrotask(() => cancel.focus())
    },
    showResults(items, text) {
      summary.textContent = text
      list.replaceChildren(...items.map((item) => resultRow(item, options.fillTarget !== null, handlers)))
    },
  }
}

function resultRow({ secret, match }: ResultItem, canFill: boolean, handlers: PairedHandlers): HTMLLIElement {
  const host = secret.url.replace(/^https?:\/\//i, '').replace(/\/$/, '')
  const noFill = canFill ? undefined : 'There is no page to fill: open Keyhold on the page with the field.'
  const fieldRow = (label: string, field: 'clientId' | 'clientSecret', available: boolean) => {
    const spoken = field === 'clientId' ? 'Client ID' : 'client secret'
    return h(
      'div',
      { class: 'field' },
      h('span', { class: 'field-label' }, label),
      button('Copy', () => handlers.onCopy(secret, field), { 'aria-label': `Copy ${spoken}`, disabled: !available }),
      button('Fill', () => handlers.onFill(secret, field), { 'aria-label': `Fill ${spoken}`, disabled: !available || !canFill, title: noFill }),
    )
  }
  return h(
    'li',
    { class: `result${match ? ' match' : ''}`, 'aria-label': secret.name },
    h('div', { class: 'result-head' }, h('span', { class: 'name' }, secret.name), match ? h('span', { class: 'badge' }, match === 'host' ? 'This site' : 'Same domain') : null),
    h('div', { class: 'result-meta muted' }, host || 'No URL', secret.identifier ? ` · ${secret.identifier}` : '', secret.tags.length ? ` · ${secret.tags.join(', ')}` : ''),
    h('div', { class: 'fields' }, fieldRow('Client ID', 'clientId', secret.clientId !== ''), fieldRow('Client secret', 'clientSecret', secret.hasClientSecret)),
  )
}
