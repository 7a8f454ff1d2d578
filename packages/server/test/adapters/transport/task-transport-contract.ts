import { deepStrictEqual as sameAs } from 'node:assert/strict'
import { MeshError } from '@agentmesh/protocol'
import { describe, it } from 'vitest'
import type { Dispatch, TaskTransport } from '../../../src/core/ports/task-transport.js'

/** A transport under test and an agent it serves, which echoes its input back as its output. */
export interface TransportHarness {
  transport: TaskTransport
  /** An agent the transport reaches, answering each task with the task's input. */
  echoAgentId: string
}

/** One promise of the `TaskTransport` port. */
export interface TransportCheck {
  name: string
  run(harness: TransportHarness): Promise<void>
}

let tasks = 0
const dispatchOf = (input: unknown): Dispatch => ({
  taskId: `contract-${++tasks}`,
  attempt: 0,
  capabilityId: 'bench.echo',
  input,
  deadlineAtMs: Date.now() + 10_000,
  depth: 0,
  budgetMicros: 0n,
  currency: 'USD',
})
const options = () => ({ signal: new AbortController().signal, onEvent: () => {} })

export const transportChecks: TransportCheck[] = [
  {
    name: 'carries the input to the agent and its output back',
    async run({ transport, echoAgentId }) {
      const answer = await transport.dispatch(echoAgentId, dispatchOf({ n: 1 }), options())
      sameAs(answer.output, { n: 1 })
    },
  },
  {
    name: 'keeps concurrent attempts apart',
    async run({ transport, echoAgentId }) {
      const inputs = [{ n: 1 }, { n: 2 }, { n: 3 }]
      const answers = await Promise.all(
        inputs.map((input) => transport.dispatch(echoAgentId, dispatchOf(input), options())),
      )
      sameAs(
        answers.map((a) => a.output),
        inputs,
      )
    },
  },
  {
    name: 'fails an attempt to an agent it does not serve as disconnected (retryable)',
    async run({ transport }) {
      const unknown = 'did:key:z6MkunknownAgentOfTheContract'
      const outcome = await transport.dispatch(unknown, dispatchOf({ n: 1 }), options()).then(
        () => undefined,
        (error: unknown) => error,
      )
      if (!(outcome instanceof MeshError)) throw new Error(`Answered ${String(outcome)}`)
      sameAs(outcome.code, 'PROVIDER_DISCONNECTED')
    },
  },
]

/** Runs every check on the transport `open` answers (once, before the checks). */
export function taskTransportContract(name: string, open: () => Promise<TransportHarness>): void {
  describe(`TaskTransport contract: ${name}`, () => {
    let harness: Promise<TransportHarness> | undefined
    const get = () => (harness ??= open())
    for (const check of transportChecks) it(check.name, async () => check.run(await get()))
  })
}
