import type { AgentCard } from '@a2a-js/sdk'

/**
 * The same card in A2A v0.3's shape, for peers that fetch cards without `A2A-Version: 1.0`
 * (v0.3 clients send no version header).
 */
export function legacyCard(card: AgentCard): Record<string, unknown> {
  const url = card.supportedInterfaces[0]?.url ?? ''
  return {
    protocolVersion: '0.3.0',
    name: card.name,
    description: card.description,
    url,
    preferredTransport: 'JSONRPC',
    additionalInterfaces: [{ url, transport: 'JSONRPC' }],
    version: card.version,
    ...(card.provider ? { provider: card.provider } : {}),
    capabilities: { streaming: true, pushNotifications: true, stateTransitionHistory: false },
    securitySchemes: {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        description: 'A bearer session token issued by this node to an authenticated principal',
      },
    },
    security: [{ bearer: [] }],
    defaultInputModes: card.defaultInputModes,
    defaultOutputModes: card.defaultOutputModes,
    skills: card.skills.map((s) => ({
      id: s.id,
      name: s.name,
      description: s.description,
      tags: s.tags,
      inputModes: s.inputModes,
      outputModes: s.outputModes,
    })),
  }
}
