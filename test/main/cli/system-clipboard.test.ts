import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { clearIfHolds, digestOf, encodeInput, findClipboardTool, SystemClipboard, type ClipboardTool } from '../../../src-main/cli/system-clipboard'
import { tempDir } from '../../support/vault'

describe('the CLI clipboard on Windows: clip.exe writes, PowerShell reads', () => {
  let dir: ReturnType<typeof tempDir> | null = null
  afterEach(() => {
    dir?.cleanup()
    dir = null
  })

  it('is chosen on win32 with no display variable, by full path (never a clip.exe in the current folder), reading with Get-Clipboard in UTF-8', () => {
    const tool = findClipboardTool({ SystemRoot: 'D:\\Win\\' }, 'win32')
    expect(tool).toMatchObject({ name: 'clip', write: ['D:\\Win\\System32\\clip.exe'], clear: null, input: 'utf16le' })
    expect(tool.read.slice(0, 4)).toEqual(['D:\\Win\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', '-NoProfile', '-NonInteractive', '-Command'])
    expect(findClipboardTool({}, 'win32').write).toEqual(['C:\\Windows\\System32\\clip.exe'])
    expect(tool.read[4]).toContain('[Console]::OutputEncoding=[Text.Encoding]::UTF8')
    expect(tool.read[4]).toContain('Get-Clipboard -Raw')
  })

  it('writes UTF-16LE after a byte-order mark (what clip.exe reads as Unicode), and nothing to clear', () => {
    expect([...encodeInput('é€', 'utf16le')]).toEqual([0xff, 0xfe, 0xe9, 0x00, 0xac, 0x20])
    expect(encodeInput('', 'utf16le').length).toBe(0)
    expect(encodeInput('é', 'utf8').toString('hex')).toBe('c3a9')
  })

  it('hands the program those bytes through a pipe, and clears only the text it copied', async () => {
    dir = tempDir()
    const board = join(dir.dir, 'board')
    const node = process.execPath
    // A stand-in for clip.exe and Get-Clipboard: the board is a file of the bytes clip was given.
    const tool: ClipboardTool = {
      name: 'clip',
      write: [node, '-e', `require('fs').writeFileSync(${JSON.stringify(board)}, require('fs').readFileSync(0))`],
      read: [node, '-e', `const b = require('fs').readFileSync(${JSON.stringify(board)}); process.stdout.write(b.length ? b.subarray(2).toString('utf16le') : '')`],
      clear: null,
      input: 'utf16le',
    }
    const clipboard = new SystemClipboard(tool, process.env)
    // What the stand-in reads back starts with no BOM; one a reader adds is not part of the text.
    const withBom = new SystemClipboard({ ...tool, read: [node, '-e', "process.stdout.write('\\uFEFFsk')"] }, process.env)
    expect(await withBom.readText()).toBe('sk')
    await clipboard.writeText('sk_live_ünïcode')
    expect(readFileSync(board).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xfe]))
    expect(await clipboard.readText()).toBe('sk_live_ünïcode')
    expect(await clearIfHolds(clipboard, digestOf('something else'))).toBe(false)
    expect(await clearIfHolds(clipboard, clipboard.written!)).toBe(true)
    expect(readFileSync(board).length).toBe(0)
  })
})
