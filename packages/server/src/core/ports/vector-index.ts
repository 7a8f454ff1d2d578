/** A key and how close its vector is to the query: cosine similarity, 1 for the same direction. */
export interface Neighbour {
  key: number
  similarity: number
}

/**
 * Nearest-neighbour search over unit vectors by cosine similarity, each vector under a numeric
 * key: how discovery finds the capabilities closest in meaning to a query without comparing it
 * with every one. The HNSW adapter answers in O(log n) and may miss a neighbour now and then;
 * the exact adapter compares with every vector (tests, small registries).
 * `test/adapters/vector-index/vector-index-contract.ts` checks every implementation.
 */
export interface VectorIndex {
  /** How many vectors the index holds. */
  readonly size: number
  /** Adds vectors under their keys; a key already present is replaced. */
  add(entries: { key: number; vector: Float32Array }[]): void
  /** Removes the keys; an absent key is ignored. */
  remove(keys: number[]): void
  /** The `k` nearest keys to `vector`, nearest first. */
  search(vector: Float32Array, k: number): Neighbour[]
  /** Frees what the index holds (a native index's memory); it is not used afterwards. */
  close(): void
}
