import type { TerminalClaim } from '../../src-shared/local-access/messages'
import type { PairingDecision, RevealDecision } from '../../src-shared/types/agent'
import type { Approver, PairingRequest, RevealRequest } from '../core/agent/approvals'
import type { CliContext } from './context'
import { oneLine } from './helpers'

const KIND_WORDS = { mobile: 'a mobile app', extension: 'a browser extension', cli: 'a terminal' } as const

/**
 * The headless agent's approver: it asks on its own terminal (stderr), and reads each answer
 * as the next line of standard input, one question at a time.
 */
export class TerminalApprover implements Approver {
  private queue: Promise<unknown> = Promise.resolve()
  private reading: Promise<string | null> | null = null
  private inputEnded = false

  constructor(
    private readonly ctx: CliContext,
    private readonly err: NodeJS.WritableStream,
  ) {}

  approvePairing(request: PairingRequest, signal: AbortSignal): Promise<PairingDecision> {
    return this.ask(signal, { approved: false }, () => {
      const { app, claim } = request
      this.err.write(
        [
          '',
          `Pairing request for "${oneLine(app.name)}" (${app.type === 'mobile' ? 'Mobile app' : 'Extension'})`,
          `  The device says: ${oneLine(claim.device.name)} (${claim.device.platform}), ${oneLine(claim.software)}, ${claim.kind}`,
          ...(claim.kind !== app.type
            ? [`  Note: this key is for ${app.type === 'mobile' ? 'a mobile app' : 'a browser extension'}, but the device says it is ${KIND_WORDS[claim.kind]}.`]
            : []),
          `  Check phrase: ${request.phrase}`,
          '  Approve only if the device shows the same four words.',
          'Answer "all" (every API secret), "tags T1,T2" (only those tags), optionally followed by " allow" to reveal client secrets without asking; anything else denies:',
          '',
        ].join('\n'),
      )
    }, (answer) => parseApproval(answer))
  }

  confirmReveal(request: RevealRequest, signal: AbortSignal): Promise<RevealDecision> {
    return this.ask(signal, 'deny' as RevealDecision, () => {
      this.err.write(
        `\n${oneLine(request.pairing.deviceName)} (${oneLine(request.pairing.appName)}) wants the client secret of "${oneLine(request.secret.name)}". Answer "once", "10m" (allow for 10 minutes) or anything else to deny:\n`,
      )
    }, (answer) => (answer === 'once' ? 'once' : answer === '10m' ? 'ten-minutes' : 'deny'))
  }

  requestUnlock(): void {}

  /** `keyhold agent --ask`: a terminal's first command is asked about here, as pairings are. */
  approveTerminal(claim: TerminalClaim, signal: AbortSignal): Promise<boolean> {
    return this.ask(signal, false, () => {
      this.err.write(
        [
          '',
          'A terminal wants to use this vault:',
          `  Command: ${oneLine(claim.command)}`,
          `  Folder:  ${oneLine(claim.cwd)}`,
          `  Terminal: ${claim.tty ?? 'none (a script or a pipe)'}, process ${claim.pid}`,
          'Answer "allow" to let its commands run for 10 minutes idle, 12 hours at most, or until the vault locks; anything else refuses:',
          '',
        ].join('\n'),
      )
    }, (answer) => answer.toLowerCase() === 'allow')
  }

  /**
   * One question at a time. A question withdrawn while it waits (timeout, the companion left)
   * stops waiting at once; the line being read then answers the next question. Once standard
   * input has ended, every question is refused at once, and the terminal is told why once.
   */
  private ask<D>(signal: AbortSignal, refused: D, show: () => void, read: (answer: string) => D): Promise<D> {
    const turn = this.queue.then(async () => {
      if (signal.aborted) return refused
      if (this.inputEnded) return refused
      show()
      const withdrawn = new Promise<null>((resolve) => signal.addEventListener('abort', () => resolve(null), { once: true }))
      const answer = await Promise.race([this.nextLine(), withdrawn])
      // Taken: the next question reads a new line. Withdrawn: the line still coming is the next question's.
      if (answer !== null) this.reading = null
      if (answer === null) {
        this.err.write(this.inputEnded ? '' : '(That question timed out or was withdrawn; it was refused.)\n')
        return refused
      }
      return read(answer.trim())
    })
    this.queue = turn.catch(() => undefined)
    return turn
  }

  /** The next line of standard input, shared by the questions until one takes it; null at its end. */
  private nextLine(): Promise<string | null> {
    this.reading ??= this.ctx.stdin
      .take({ what: 'the answer', max: 1_000 })
      .catch(() => {
        if (!this.inputEnded)
          this.err.write('Standard input has ended, so pairing and reveal questions are refused from now on. Run keyhold agent in a terminal to answer them.\n')
        this.inputEnded = true
        return null
      })
    return this.reading
  }
}

/** "all", "tags a,b", each optionally with " allow". */
export function parseApproval(answer: string): PairingDecision {
  const match = /^(all|tags\s+(\S.*?))(\s+allow)?$/i.exec(answer)
  if (!match) return { approved: false }
  const reveal = match[3] ? 'allow' : 'ask'
  if (match[1]!.toLowerCase() === 'all') return { approved: true, scope: { secrets: 'all' }, reveal }
  const tags = match[2]!
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '')
    .slice(0, 20)
  if (tags.length === 0 || tags.some((t) => t.length > 50)) return { approved: false }
  return { approved: true, scope: { secrets: 'tagged', tags }, reveal }
}
