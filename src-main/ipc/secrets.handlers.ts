import type { Services } from '../core/services'
import type { secretsChannels } from '../../src-shared/ipc/secrets.contract'
import type { Handlers } from './handle'

type SecretsHandlers = Pick<Handlers, keyof typeof secretsChannels>

export function secretsHandlers({ secrets }: Services): SecretsHandlers {
  return {
    secretsList: (input) => secrets.list(input),
    secretsTags: () => secrets.tags(),
    secretsGet: (input) => secrets.get(input.id),
    secretsAdd: (input) => secrets.add(input),
    secretsEdit: (input) => secrets.edit(input),
    secretsRemove: async (input) => {
      await secrets.remove(input.id)
      return null
    },
    secretsReveal: (input) => secrets.reveal(input.id),
    secretsCopy: (input) => secrets.copy(input.id, input.field),
  }
}
