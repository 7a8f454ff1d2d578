import type { AgentCard, AgentSkill } from '@a2a-js/sdk'
import type { Capability } from '@agentmesh/protocol'

/** The security scheme every card names: the node's bearer session token. */
const BEARER_SCHEME = 'bearer'

/** What a card says about the agent behind it. */
export interface CardSubject {
  name: string
  description: string
  version: string
  /** The JSON-RPC endpoint. */
  url: string
  /** The node's public URL, named as the provider. */
  nodeUrl: string
  capabilities: Capability[]
}

function skillOf(capability: Capability): AgentSkill {
  return {
    id: capability.id,
    name: capability.id,
    description: capability.description,
    tags: capability.tags ?? [],
    examples: [],
    inputModes: ['application/json', 'text/plain'],
    outputModes: ['application/json'],
    securityRequirements: [],
  }
}

/**
 * An A2A (v1.0) agent card: JSON-RPC at `url` for protocol 1.0 and 0.3, streaming and push
 * notifications on, one skill per capability, bearer-token security.
 */
export function a2aCard(subject: CardSubject): AgentCard {
  const jsonRpc = (protocolVersion: string) => ({
    url: subject.url,
    protocolBinding: 'JSONRPC',
    tenant: '',
    protocolVersion,
  })
  return {
    name: subject.name,
    description: subject.description,
    supportedInterfaces: [jsonRpc('1.0'), jsonRpc('0.3')],
    provider: { organization: 'agentmesh', url: subject.nodeUrl },
    version: subject.version,
    capabilities: {
      streaming: true,
      pushNotifications: true,
      extensions: [],
      extendedAgentCard: false,
    },
    securitySchemes: {
      [BEARER_SCHEME]: {
        scheme: {
          $case: 'httpAuthSecurityScheme',
          value: {
            description: 'A bearer session token issued by this node to an authenticated principal',
            scheme: 'Bearer',
            bearerFormat: 'opaque',
          },
        },
      },
    },
    securityRequirements: [{ schemes: { [BEARER_SCHEME]: { list: [] } } }],
    defaultInputModes: ['application/json', 'text/plain'],
    defaultOutputModes: ['application/json'],
    skills: subject.capabilities.map(skillOf),
    signatures: [],
  }
}
