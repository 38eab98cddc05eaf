import type { PairingView } from '../../src-shared/local-access/messages'
import type { SecretId, SecretSummary } from '../../src-shared/types/secrets'
import { copiedWords } from '../../extension/src/copy'
import { UNENCRYPTED_WARNING } from '../../extension/src/fill'
import {
  endedScreen,
  failedScreen,
  hostMissingScreen,
  hostRefusedScreen,
  lockedScreen,
  notRunningScreen,
  pairedScreen,
  pairingScreen,
  unpairedScreen,
} from '../../extension/src/popup/screens'

/**
 * Every popup screen on one page, each in a popup-sized frame named by `data-name`, for the
 * browser test to screenshot (the locked and failure screens cannot all be reached with a
 * real `keyhold agent`), under popup.html's own header (a template). Bundled by the test; never shipped.
 */

const noop = () => {}
const frames = document.getElementById('gallery')!

function frame(name: string, screen: HTMLElement, after?: (screen: HTMLElement) => void): void {
  const main = document.createElement('main')
  main.append(screen)
  const popup = document.createElement('div')
  popup.className = 'popup'
  popup.dataset.name = name
  popup.append((document.getElementById('bar') as HTMLTemplateElement).content.cloneNode(true), main)
  frames.append(popup)
  after?.(screen)
}

const typeInto = (screen: HTMLElement, text: string) => {
  const input = screen.querySelector('input')!
  input.value = text
  input.dispatchEvent(new Event('input'))
}

frame('unpaired', unpairedScreen({ onPair: noop }))
frame('unpaired-typing', unpairedScreen({ onPair: noop }), (s) => typeInto(s, 'HDV0-A3M4-QE'))
frame('unpaired-typo', unpairedScreen({ onPair: noop }), (s) => typeInto(s, 'HDV0-A3M4-QEXW-CFDE-W0N8-6NB5-7X4A'))
frame('unpaired-refused', unpairedScreen({ onPair: noop, error: 'This authorization key is not valid for this vault. Generate a new key in My apps and pair again.' }))
frame('unpaired-signed-out', unpairedScreen({ onPair: noop, notice: 'Signed out. This browser can no longer read from Keyhold.' }))
frame('pairing-connecting', pairingScreen({ phrase: null, app: null, waiting: false, onCancel: noop }))
frame('pairing-phrase', pairingScreen({ phrase: 'tulip gravy stunt yo-yo', app: { name: 'Work browser', type: 'extension' }, waiting: true, onCancel: noop }))
frame('locked', lockedScreen({ asked: false, onUnlock: noop }))
frame('locked-asked', lockedScreen({ asked: true, onUnlock: noop }))
frame('not-running', notRunningScreen({ onRetry: noop }))
frame('not-running-stopped', notRunningScreen({ lead: 'Keyhold stopped serving this vault.', onRetry: noop }))
frame('host-missing', hostMissingScreen({ onRetry: noop }))
frame('host-refused', hostRefusedScreen({ message: "Keyhold's browser integration refused this extension. Turn browser integration off and on again in Keyhold's Settings > Browser integration.", onRetry: noop }))
frame('ended', endedScreen({ app: 'Work browser', onPairAgain: noop }))
frame('failed', failedScreen({ title: 'Keyhold stopped answering', message: 'The connection to Keyhold closed.', action: 'Reconnect', onRetry: noop }))

const pairing: PairingView = { id: 'p1', app: { id: 'a1', name: 'Work browser', type: 'extension' }, scope: { secrets: 'tagged', tags: ['prod', 'payments'] }, reveal: 'ask', createdAt: '2026-12-04T10:00:00.000Z', expiresAt: null }
const secret = (name: string, url: string, extra: Partial<SecretSummary> = {}): SecretSummary => ({
  id: name as SecretId,
  name,
  url,
  clientId: `${name.toLowerCase().replace(/\W+/g, '-')}-id`,
  identifier: null,
  method: null,
  tags: [],
  hasClientSecret: true,
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:00.000Z',
  ...extra,
})
const paired = pairedScreen({ pairing, vaultId: 'c3a7f725f31ce7b0afc2', fillTarget: 'dashboard.stripe.com', handlers: { onSearch: noop, onCopy: noop, onFill: noop, onSignOut: noop } })
frame('paired', paired.root)
paired.showResults(
  [
    { secret: secret('Stripe dashboard', 'https://dashboard.stripe.com', { identifier: 'acct_1Nv', tags: ['prod', 'payments'] }), match: 'host' },
    { secret: secret('Stripe prod API with a rather long name that does not fit', 'https://www.dashboard.stripe.com/v1', { tags: ['prod'] }), match: 'domain' },
    { secret: secret('GitHub CI', 'https://api.github.com', { tags: ['ci'], hasClientSecret: false }), match: null },
  ],
  '3 API secrets',
)
paired.setStatus('Copied the client secret of “Stripe dashboard”. It is cleared from the clipboard in 2 minutes.', 'success')
const empty = pairedScreen({ pairing: { ...pairing, scope: { secrets: 'all' }, reveal: 'allow' }, vaultId: 'c3a7f725f31ce7b0afc2', fillTarget: null, handlers: { onSearch: noop, onCopy: noop, onFill: noop, onSignOut: noop } })
frame('paired-empty', empty.root)
empty.showResults([], 'No API secrets match this search.')
const insecure = pairedScreen({ pairing, vaultId: 'c3a7f725f31ce7b0afc2', fillTarget: 'intranet.example', handlers: { onSearch: noop, onCopy: noop, onFill: noop, onSignOut: noop } })
frame('paired-http-warning', insecure.root)
insecure.showResults([{ secret: secret('Intranet API', 'http://intranet.example'), match: 'host' }], '1 API secret')
insecure.ask(UNENCRYPTED_WARNING, 'Fill anyway', noop)
const unwatched = pairedScreen({ pairing, vaultId: 'c3a7f725f31ce7b0afc2', fillTarget: null, handlers: { onSearch: noop, onCopy: noop, onFill: noop, onSignOut: noop } })
frame('paired-not-cleared', unwatched.root)
unwatched.showResults([{ secret: secret('GitHub CI', 'https://api.github.com', { tags: ['ci'] }), match: null }], '1 API secret')
unwatched.setStatus(copiedWords('the client secret of “GitHub CI”', { afterMs: 30_000, watched: false }), 'error')
