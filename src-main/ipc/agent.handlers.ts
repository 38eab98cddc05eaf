import type { agentChannels } from '../../src-shared/ipc/agent.contract'
import type { Services } from '../core/services'
import type { Handlers } from './handle'

type AgentHandlers = Pick<Handlers, keyof typeof agentChannels>

/** Local access: the agent's switch, its questions, and Settings > Connected apps. */
export function agentHandlers({ agent, pairings }: Services): AgentHandlers {
  return {
    agentStatus: () => agent.status(),
    agentSetEnabled: (input) => agent.setEnabled(input.enabled),
    agentSetIdleDays: (input) => agent.setIdleDays(input.days),
    agentPrompts: () => agent.prompts(),
    agentNetworkStatus: () => agent.networkStatus(),
    agentSetNetwork: (input) => agent.setNetwork(input),
    agentQrClosed: (input) => agent.qrClosed(input.id),
    agentAnswerPairing: (input) =>
      agent.answerPairing(input.id, input.approved ? { approved: true, scope: input.scope, reveal: input.reveal } : { approved: false }),
    agentAnswerReveal: (input) => agent.answerReveal(input.id, input.decision),
    agentAnswerTerminal: (input) => agent.answerTerminal(input.id, input.allow),
    pairingsList: () => pairings.list(),
    pairingsRevoke: (input) => pairings.end(input.id, 'revoked'),
    pairingsRevokeAll: async () => ({ ended: await pairings.endAll() }),
  }
}
