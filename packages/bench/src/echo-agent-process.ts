import { generateKeyPair } from '@agentmesh/protocol'
import { defineAgent } from '@agentmesh/sdk'
import { benchEchoCapability } from './bench-fleet.js'

/**
 * An echo agent in a process of its own, as agents run in use: forked by the tasks benchmark
 * with the node's URL, the capability id and how long it takes to answer (ms) as arguments. It tells its parent `ready` once
 * connected and exits when the parent disconnects or asks it to.
 */
async function main(): Promise<void> {
  const [url, capabilityId, delay] = process.argv.slice(2)
  const delayMs = Number(delay ?? 0)
  if (!url || !capabilityId || !process.send) {
    process.stderr.write('usage: forked with the node URL and a capability id\n')
    process.exit(2)
  }
  const agent = defineAgent({
    name: 'bench-echo',
    description: 'Echoes for the benchmark',
    concurrency: 256,
    capabilities: [
      {
        ...benchEchoCapability(capabilityId),
        handler: async (input: { text: string }) => {
          if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs))
          return { text: input.text }
        },
      },
    ],
  })
  await agent.connect(url, { key: generateKeyPair(), reconnect: false })
  const stop = () => void agent.close().finally(() => process.exit(0))
  process.on('disconnect', stop)
  process.on('message', (message) => {
    if (message === 'close') stop()
  })
  process.send('ready')
}

main().catch((error: unknown) => {
  process.stderr.write(`bench echo agent: ${(error as Error).message}\n`)
  process.exit(1)
})
