import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { WordVectorEmbedder } from '../adapters/embedding/word-vector-embedder.js'
import { UsearchVectorIndex } from '../adapters/vector-index/usearch-vector-index.js'
import { MeaningIndex } from '../core/discovery/meaning-index.js'
import type { NodeBase } from './base.js'

/** Built by `npm run build` (`scripts/word-vectors.mjs`) beside `src/` and `dist/`. */
export const WORD_VECTORS = fileURLToPath(new URL('../../data/word-vectors.bin', import.meta.url))

/**
 * Discovery by meaning: word vectors as the embedder, USearch's HNSW as the vector index; none
 * when the relevance weights give meaning no weight.
 */
export function meaningIndex(base: NodeBase): MeaningIndex | undefined {
  const { config, store, bus, logger, clock } = base
  if (config.relevanceWeights.vector === 0) return undefined
  if (!existsSync(WORD_VECTORS)) {
    throw new Error(
      `The word vectors "${WORD_VECTORS}" are missing: run npm run build, or set AGENTMESH_RELEVANCE_WEIGHTS=vector=0 to rank by text alone`,
    )
  }
  const embedder = new WordVectorEmbedder(WORD_VECTORS)
  const index = new UsearchVectorIndex(embedder.dimensions)
  return new MeaningIndex({ store, embedder, index, bus, logger, clock })
}
