import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBridge, type Bridge } from '../support/bridge'

interface Reply {
  status: number
  body: string
}

/** A raw HTTP call, so Host and Origin can be set to anything a hostile page might send. */
function call(bridge: Bridge, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  const url = new URL(bridge.url)
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

const tokenOf = (bridge: Bridge): string => /const token = "([0-9a-f]+)"/.exec(bridge.initScript)?.[1] ?? ''

describe('test bridge', () => {
  let bridge: Bridge
  beforeAll(async () => {
    bridge = await startBridge()
  })
  afterAll(async () => {
    await bridge.close()
  })

  it('listens on the loopback address only, on a random port', () => {
    const url = new URL(bridge.url)
    expect(url.hostname).toBe('127.0.0.1')
    expect(Number(url.port)).toBeGreaterThan(0)
  })

  it('answers a call with the token through the real dispatch', async () => {
    const reply = await call(bridge, '/ipc/vault%3Astatus', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-keyhold-bridge-token': tokenOf(bridge) },
      body: '{}',
    })
    expect(reply.status).toBe(200)
    expect(JSON.parse(reply.body)).toMatchObject({ ok: true, value: { state: 'absent' } })
  })

  it('refuses a call without the token, with another token, or from another origin', async () => {
    const post = (headers: Record<string, string>) => call(bridge, '/ipc/vault%3Astatus', { method: 'POST', headers, body: '{}' })
    expect((await post({})).status).toBe(403)
    expect((await post({ 'x-keyhold-bridge-token': 'f'.repeat(64) })).status).toBe(403)
    expect((await post({ 'x-keyhold-bridge-token': tokenOf(bridge), origin: 'http://evil.example' })).status).toBe(403)
  })

  it('refuses another Host name (DNS rebinding)', async () => {
    expect((await call(bridge, '/', { headers: { host: 'evil.example' } })).status).toBe(421)
  })

  it('serves the built renderer and nothing outside it', async () => {
    const index = await call(bridge, '/')
    expect(index.status).toBe(200)
    expect(index.body).toContain('Content-Security-Policy')
    expect((await call(bridge, '/../package.json')).status).toBe(404)
    expect((await call(bridge, '/%2e%2e/package.json')).status).toBe(404)
  })

  it('names every contract method in the page script, and embeds a fresh token', async () => {
    const other = await startBridge()
    try {
      expect(bridge.initScript).toContain('"vaultUnlock":"vault:unlock"')
      expect(tokenOf(bridge)).toHaveLength(64)
      expect(tokenOf(other)).not.toBe(tokenOf(bridge))
    } finally {
      await other.close()
    }
  })
})
