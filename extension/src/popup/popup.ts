import '../zod-jitless'
import { CompanionError, openSession, type PairedIdentity, type Session } from '../../../src-shared/local-access/client'
import type { SecretSummary } from '../../../src-shared/types/secrets'
import { copiedWords, copyWatched } from '../copy'
import { FILL_WORDS, fillFocusedField, unencryptedPage, UNENCRYPTED_WARNING, type FillOutcome } from '../fill'
import { HelloWatch } from '../hello-watch'
import { IdentityStore } from '../identity-store'
import { connectNative } from '../native'
import { PAIRING_CHANNEL, type PairingCommand, type PairingProgress, type PairingUpdate } from '../pairing-progress'
import { domainOf, hostOf, mergeById, pageMatch, rankForPage } from '../ranking'
import { HOST_MISSING, HOST_REFUSED } from '../relay'
import { sessionFailure, signedOutAnyway } from '../session-failure'
import {
  endedScreen,
  failedScreen,
  hostMissingScreen,
  hostRefusedScreen,
  loadingScreen,
  lockedScreen,
  notRunningScreen,
  pairedScreen,
  pairingScreen,
  unpairedScreen,
  type PairedScreen,
} from './screens'

/**
 * The popup. Each time it opens it opens its own session through a new native host (the
 * worker may sleep, and nothing read from the vault should outlive the popup), and closes it
 * when it closes. Pairing runs in the background worker (see pairing-progress.ts); the popup
 * shows its progress.
 */

const host = document.getElementById('screen')!
const store = new IdentityStore(chrome.storage.local)
/** What the popup shows: a pairing's progress follows the worker; the rest is the popup's own. */
let showing: 'pairing' | 'other' = 'other'
let session: Session | null = null

const show = (element: HTMLElement) => host.replaceChildren(element)

// ---- the pairing, run by the worker

const channel = chrome.runtime.connect({ name: PAIRING_CHANNEL })
const send = (command: PairingCommand) => channel.postMessage(command)
let firstProgress: (progress: PairingProgress) => void
const initialProgress = new Promise<PairingProgress>((resolve) => (firstProgress = resolve))

channel.onMessage.addListener((message) => {
  const { progress } = message as PairingUpdate
  firstProgress(progress)
  if (showing === 'pairing') followPairing(progress)
})
channel.onDisconnect.addListener(() => {
  if (showing === 'pairing')
    showUnpaired({ error: 'The pairing stopped before it finished. If Keyhold is asking you to approve a device now, deny it, then pair again with a new key.' })
})

function followPairing(progress: PairingProgress): void {
  showing = 'pairing'
  switch (progress.phase) {
    case 'idle':
      return showUnpaired({})
    case 'connecting':
      return show(pairingScreen({ phrase: null, app: null, waiting: false, onCancel: cancelPairing }))
    case 'locked':
      return show(lockedScreen({ asked: progress.unlockAsked, onUnlock: () => send({ t: 'unlock' }) }))
    case 'phrase':
      return show(pairingScreen({ phrase: progress.phrase, app: progress.app, waiting: progress.waiting, onCancel: cancelPairing }))
    case 'approved':
      send({ t: 'ack' })
      showing = 'other'
      return void store.load().then((identity) => (identity ? connect(identity) : showUnpaired({ error: 'The pairing was approved, but the browser did not keep it. Pair again with a new key.' })))
    case 'failed':
      send({ t: 'ack' })
      showing = 'other'
      if (progress.code === 'AGENT_NOT_RUNNING') return show(notRunningScreen({ onRetry: () => showUnpaired({}) }))
      if (progress.code === HOST_MISSING) return show(hostMissingScreen({ onRetry: () => showUnpaired({}) }))
      if (progress.code === HOST_REFUSED) return show(hostRefusedScreen({ message: progress.message, onRetry: () => showUnpaired({}) }))
      return showUnpaired({ error: progress.message })
  }
}

function cancelPairing(): void {
  send({ t: 'cancel' })
  showUnpaired({ error: 'Pairing cancelled. The key is used up if Keyhold had shown its dialog: create a new one in My apps to pair.' })
}

function showUnpaired(options: { error?: string; notice?: string }): void {
  showing = 'other'
  show(
    unpairedScreen({
      ...options,
      onPair(text) {
        showing = 'pairing'
        show(pairingScreen({ phrase: null, app: null, waiting: false, onCancel: cancelPairing }))
        send({ t: 'pair', text })
      },
    }),
  )
}

// ---- a session as the stored pairing

/** The tab the popup was opened on: its host ranks results, and Fill writes only there (the activeTab grant of that click). */
interface Target {
  tabId: number | null
  host: string | null
  /** Served over plain http from another computer: Fill asks first. */
  unencrypted: boolean
}

const target: Promise<Target> = chrome.tabs
  .query({ active: true, currentWindow: true })
  .then(([tab]) => {
    const pageHost = hostOf(tab?.url)
    return { tabId: pageHost && tab?.id !== undefined ? tab.id : null, host: pageHost, unencrypted: unencryptedPage(tab?.url) }
  })
  .catch(() => ({ tabId: null, host: null, unencrypted: false }))

async function connect(identity: PairedIdentity): Promise<void> {
  showing = 'other'
  show(loadingScreen('Connecting to Keyhold…'))
  try {
    const relay = await connectNative(identity.vaultId)
    const watch: HelloWatch = new HelloWatch(relay.transport, (locked) => {
      const onUnlock = () => {
        watch.requestUnlock()
        show(lockedScreen({ asked: true, onUnlock }))
      }
      show(locked ? lockedScreen({ asked: false, onUnlock }) : loadingScreen('Connecting to Keyhold…'))
    })
    const opened = await openSession(watch, identity)
    session = opened
    await openPaired(identity, opened)
  } catch (error) {
    sessionFailed(error, identity)
  }
}

function sessionFailed(error: unknown, identity: PairedIdentity): void {
  const failure = error instanceof CompanionError ? error : new CompanionError('INTERNAL', 'Something unexpected went wrong.')
  const retry = () => void connect(identity)
  switch (sessionFailure(failure)) {
    case 'ended':
      return forget(identity)
    case 'not-running':
      return show(notRunningScreen({ onRetry: retry }))
    case 'host-missing':
      return show(hostMissingScreen({ onRetry: retry }))
    case 'host-refused':
      return show(hostRefusedScreen({ message: failure.message, onRetry: retry }))
    case 'locked':
      return show(failedScreen({ title: 'Keyhold is locked', message: failure.message, action: 'Try again', onRetry: retry }))
    case 'other':
      return show(failedScreen({ title: 'Keyhold did not answer', message: failure.message, action: 'Try again', onRetry: retry }))
  }
}

/** The pairing ended in Keyhold (revoked, expired, idle): its key is useless now, so it is erased. */
function forget(identity: PairedIdentity): void {
  void store.clear()
  show(endedScreen({ app: identity.pairing.app.name, onPairAgain: () => showUnpaired({}) }))
}

async function openPaired(identity: PairedIdentity, current: Session): Promise<void> {
  const page = await target
  let ending: 'ended' | 'stopping' | 'expired' | null = null
  let screen: PairedScreen
  let searches = 0

  const search = async (query: string) => {
    const mine = ++searches
    const domain = page.host ? domainOf(page.host) : null
    const typed = query.trim()
    try {
      const [matches, all] = await Promise.all([
        !typed && domain ? current.list({ query: domain, limit: 20 }) : null,
        current.list({ ...(typed && { query: typed }), limit: 50 }),
      ])
      if (mine !== searches) return
      const first = matches ? matches.items.filter((secret) => pageMatch(secret.url, page.host) !== null) : []
      const items = rankForPage(mergeById(first, all.items), page.host)
      screen.showResults(
        items.map((secret) => ({ secret, match: pageMatch(secret.url, page.host) })),
        all.total === 0 ? (typed ? 'No API secrets match this search.' : 'This pairing has no API secrets to read.') : all.total > all.items.length ? `${all.items.length} of ${all.total} API secrets; search to find the others.` : `${all.total} API secret${all.total === 1 ? '' : 's'}`,
      )
    } catch (error) {
      requestFailed(error)
    }
  }

  const requestFailed = (error: unknown) => {
    if (!(error instanceof CompanionError)) return screen.setStatus('Something unexpected went wrong.', 'error')
    if (error.code === 'VAULT_LOCKED') return showLocked(false)
    if (current.closed) return // the session's end says why
    screen.setStatus(error.message, 'error')
  }

  /** The value to copy or fill; the client secret is asked of Keyhold, which may ask the person. */
  const valueOf = async (secret: SecretSummary, field: 'clientId' | 'clientSecret'): Promise<string | null> => {
    if (field === 'clientId') return secret.clientId
    screen.setStatus(identity.pairing.reveal === 'ask' ? 'Asking Keyhold for the client secret. Allow it on your computer.' : 'Asking Keyhold for the client secret…')
    const { clientSecret } = await current.reveal(secret.id)
    if (clientSecret === null) screen.setStatus(`“${secret.name}” has no client secret.`, 'error')
    return clientSecret
  }

  /** Fills the value into the field selected in the tab the popup was opened on. */
  const fill = async (secret: SecretSummary, field: 'clientId' | 'clientSecret', tabId: number) => {
    const label = field === 'clientId' ? 'Client ID' : 'client secret'
    let value: string | null
    try {
      value = await valueOf(secret, field)
    } catch (error) {
      return requestFailed(error)
    }
    if (value === null) return
    let outcome: FillOutcome | 'refused'
    try {
      const [result] = await chrome.scripting.executeScript({ target: { tabId }, func: fillFocusedField, args: [value] })
      outcome = result?.result ?? 'refused'
    } catch {
      outcome = 'refused'
    }
    screen.setStatus(outcome === 'filled' ? `Filled the ${label} of “${secret.name}” into the field you selected.` : FILL_WORDS[outcome], outcome === 'filled' ? 'success' : 'error')
  }

  const handlers = {
    onSearch: (query: string) => void search(query),
    async onCopy(secret: SecretSummary, field: 'clientId' | 'clientSecret') {
      const label = field === 'clientId' ? 'Client ID' : 'client secret'
      try {
        const value = await valueOf(secret, field)
        if (value === null) return
        const copied = await copyWatched(value, current.clipboardClearSeconds, { writeText: (text) => navigator.clipboard.writeText(text), sendMessage: (message) => chrome.runtime.sendMessage(message) })
        screen.setStatus(copiedWords(`the ${label} of “${secret.name}”`, copied), copied.watched ? 'success' : 'error')
      } catch (error) {
        if (error instanceof CompanionError) return requestFailed(error)
        screen.setStatus('The browser did not let Keyhold copy. Try again.', 'error')
      }
    },
    onFill(secret: SecretSummary, field: 'clientId' | 'clientSecret') {
      const { tabId } = page
      if (tabId === null) return
      // SECURITY: asked before the value is even read from Keyhold: anyone on the way can read an http page's fields.
      if (page.unencrypted) return screen.ask(UNENCRYPTED_WARNING, 'Fill anyway', () => void fill(secret, field, tabId))
      void fill(secret, field, tabId)
    },
    async onSignOut() {
      session = null
      try {
        await current.signOut()
      } catch (error) {
        if (!signedOutAnyway(error)) {
          session = current
          if (current.closed) return closed()
          return screen.setStatus(`Keyhold did not sign this browser out: ${error instanceof Error ? error.message : 'try again.'}`, 'error')
        }
      }
      await store.clear()
      showUnpaired({ notice: 'Signed out. This browser can no longer read from Keyhold.' })
    },
  }

  /** The session ended without the popup asking: say why, or reconnect after the 12-hour limit. */
  const closed = () => {
    session = null
    if (ending === 'ended') return forget(identity)
    if (ending === 'expired') return void connect(identity)
    if (ending === 'stopping') return show(notRunningScreen({ lead: 'Keyhold stopped serving this vault.', onRetry: () => void connect(identity) }))
    show(failedScreen({ title: 'Keyhold stopped answering', message: 'The connection to Keyhold closed.', action: 'Reconnect', onRetry: () => void connect(identity) }))
  }

  const showPaired = () => {
    screen = pairedScreen({ pairing: identity.pairing, vaultId: identity.vaultId, fillTarget: page.tabId === null ? null : page.host, handlers })
    show(screen.root)
    void search('')
  }

  const showLocked = (asked: boolean) => {
    show(
      lockedScreen({
        asked,
        onUnlock: () => {
          void current.request('vault.requestUnlock').catch(() => {})
          showLocked(true)
        },
      }),
    )
  }

  current.onEvent((event) => {
    if (event.event === 'pairing.ended') ending = 'ended'
    else if (event.event === 'agent.stopping') ending = 'stopping'
    else if (event.event === 'session.expired') ending = 'expired'
    else if (event.event === 'vault.locked') showLocked(false)
    else if (event.event === 'vault.unlocked') showPaired()
  })
  void current.done.then(() => {
    // A session the popup ended itself (sign out, closing) is no longer `session`.
    if (session === current) closed()
  })
  showPaired()
}

addEventListener('pagehide', () => {
  const closing = session
  session = null
  closing?.close()
})

// ---- start: a pairing in progress, else the stored pairing, else the code field

void (async () => {
  const progress = await initialProgress
  if (progress.phase !== 'idle') return followPairing(progress)
  const identity = await store.load()
  if (identity) return connect(identity)
  showUnpaired({})
})()
