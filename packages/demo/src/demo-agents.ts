import type { Agent } from '@agentmesh/sdk'
import { languageAgent } from './language-agent.js'
import { mathAgent } from './math-agent.js'
import { expressSentimentAgent, thriftySentimentAgent } from './sentiment-agents.js'
import { textAnalystAgent } from './text-analyst-agent.js'
import { unitsAgent } from './units-agent.js'

/**
 * The demo's agents, one per file: two sentiment providers (fast and pricier, slow and cheaper),
 * language detection, keywords and summaries, math, unit conversion.
 */
export function demoAgents(random: () => number = Math.random): Agent[] {
  return [
    expressSentimentAgent(),
    thriftySentimentAgent(random),
    languageAgent(),
    textAnalystAgent(),
    mathAgent(),
    unitsAgent(),
  ]
}
