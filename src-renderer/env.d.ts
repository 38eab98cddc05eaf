/// <reference types="vite/client" />

interface Window {
  /** The preload's named methods over the IPC contract and its events. Read only by `api/client.ts`. */
  readonly keyhold: import('../src-shared/ipc/events').KeyholdBridge | undefined
}
