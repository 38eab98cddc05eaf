import { connect } from 'node:net'
import { KeyholdError } from '../../../src-shared/errors'
import { FrameQueue } from '../../../src-shared/local-access/frame-queue'
import type { FrameTransport } from '../../../src-shared/local-access/link'
import { FrameError, FrameReader, withLengthPrefix } from '../../../src-shared/local-access/frames'
import { checkAgentFolderSync, type AgentEndpoint } from './agent-paths'

const notRunning = () =>
  new KeyholdError('AGENT_NOT_RUNNING', 'Nothing is serving this vault: start the Keyhold app (with Connected apps on) or run `keyhold agent`, then try again.')

/**
 * The companion's side of the Unix socket: frames with their length prefix, as a
 * FrameTransport. Checks the folder first (the user's, mode 0700), as §2.2 asks of clients.
 */
export async function connectSocket(endpoint: AgentEndpoint): Promise<FrameTransport> {
  try {
    checkAgentFolderSync(endpoint.folder)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw notRunning()
    throw error
  }
  const socket = connect(endpoint.socket)
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' || error.code === 'ECONNREFUSED' ? notRunning() : new KeyholdError('AGENT_NOT_RUNNING', `Keyhold's agent could not be reached (${error.code ?? 'error'}). Start it, then try again.`)),
    )
  })
  const queue = new FrameQueue()
  const reader = new FrameReader()
  socket.on('data', (chunk: Buffer) => {
    try {
      for (const body of reader.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length))) queue.push(body)
    } catch (error) {
      if (error instanceof FrameError) socket.destroy()
    }
  })
  socket.on('error', () => undefined)
  socket.on('close', () => queue.end())
  return {
    send: (body) => {
      if (!socket.destroyed) socket.write(withLengthPrefix(body))
    },
    next: () => queue.next(),
    close: () => socket.destroy(),
  }
}
