import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { agentEndpoint, readAgentInfo } from '../../../src-main/core/agent/agent-paths'
import { eachInTempDir } from '../../support/vault'

describe("reading an agent's facts file", () => {
  let dir = ''
  eachInTempDir((made) => (dir = made))
  const facts = { v: 1, vault: 'c3a7f725f31ce7b0afc2', dpk: null, pid: 4242, holder: 'agent', since: '2026-12-04T10:00:00.000Z' }

  it('reads the facts an agent wrote, and nothing from no file or one that is not facts', () => {
    const endpoint = agentEndpoint(facts.vault, dir)
    expect(readAgentInfo(endpoint)).toBeNull()
    writeFileSync(endpoint.info, JSON.stringify(facts))
    expect(readAgentInfo(endpoint)).toEqual(facts)
    writeFileSync(endpoint.info, '{"pid":"4242"}')
    expect(readAgentInfo(endpoint)).toBeNull()
  })

  it('is not held by a FIFO or a huge file put in its place: null at once', () => {
    const endpoint = agentEndpoint(facts.vault, dir)
    // Facts padded past the 16 KiB read: cut, so not JSON.
    writeFileSync(endpoint.info, JSON.stringify({ ...facts, pad: 'x'.repeat(64 * 1024) }))
    expect(readAgentInfo(endpoint)).toBeNull()
    if (process.platform === 'win32') return
    const fifo = agentEndpoint('ffffffffffffffffffff', dir)
    execFileSync('mkfifo', [fifo.info])
    // A blocking open would wait here for a writer that never comes.
    expect(readAgentInfo(fifo)).toBeNull()
  })
})
