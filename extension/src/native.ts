import { NATIVE_HOST_NAME } from './ids'
import { openRelay, type Relay } from './relay'

/** A relay through a new `keyhold native-host` process that the browser starts for this port. */
export function connectNative(vaultId: string | undefined): Promise<Relay> {
  const port = chrome.runtime.connectNative(NATIVE_HOST_NAME)
  return openRelay(port, vaultId, () => chrome.runtime.lastError?.message)
}
