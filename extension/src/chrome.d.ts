/**
 * The few WebExtension APIs the extension uses, declared by hand (the project does not
 * depend on @types/chrome). Promise forms only: Chromium 116+ and Firefox's MV3 `chrome`
 * namespace both return promises. Keep to what the code calls.
 */
declare namespace chrome {
  interface Event<Listener extends (...args: never[]) => unknown> {
    addListener(listener: Listener): void
    removeListener(listener: Listener): void
  }

  namespace runtime {
    interface MessageSender {
      id?: string
      url?: string
      tab?: tabs.Tab
    }
    interface Port {
      readonly name: string
      readonly sender?: MessageSender
      postMessage(message: unknown): void
      disconnect(): void
      readonly onMessage: Event<(message: unknown, port: Port) => void>
      readonly onDisconnect: Event<(port: Port) => void>
    }
    interface Manifest {
      version: string
      name: string
    }
    interface ExtensionContext {
      contextType: string
      documentUrl?: string
    }
    const id: string
    const lastError: { message?: string } | undefined
    function getManifest(): Manifest
    function getURL(path: string): string
    function connect(connectInfo: { name: string }): Port
    function connectNative(application: string): Port
    function sendMessage(message: unknown): Promise<unknown>
    /** Firefox's event page calls it only to count as busy (see background.ts). */
    function getPlatformInfo(): Promise<{ os: string }>
    function getContexts(filter: { contextTypes: string[]; documentUrls?: string[] }): Promise<ExtensionContext[]>
    const onConnect: Event<(port: Port) => void>
    const onMessage: Event<(message: unknown, sender: MessageSender, sendResponse: (response?: unknown) => void) => boolean | undefined | void>
  }

  namespace storage {
    interface StorageArea {
      get(keys: string | string[]): Promise<Record<string, unknown>>
      set(items: Record<string, unknown>): Promise<void>
      remove(keys: string | string[]): Promise<void>
    }
    const local: StorageArea
  }

  namespace tabs {
    interface Tab {
      id?: number
      windowId: number
      active: boolean
      /** Only with the activeTab grant (or host permission) for this tab. */
      url?: string
      title?: string
    }
    function query(queryInfo: { active?: boolean; currentWindow?: boolean; lastFocusedWindow?: boolean }): Promise<Tab[]>
  }

  namespace scripting {
    interface InjectionResult<T> {
      frameId: number
      result?: T
    }
    function executeScript<Args extends unknown[], Result>(injection: {
      target: { tabId: number; frameIds?: number[]; allFrames?: boolean }
      func: (...args: Args) => Result
      args: Args
    }): Promise<InjectionResult<Awaited<Result>>[]>
  }

  /** Chromium only (not in Firefox, whose background page has a DOM of its own). */
  namespace offscreen {
    function createDocument(parameters: { url: string; reasons: string[]; justification: string }): Promise<void>
    function closeDocument(): Promise<void>
  }
}
