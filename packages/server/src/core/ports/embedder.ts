/** A piece of text to embed and how much it counts against the others of the same passage. */
export interface WeightedText {
  text: string
  weight: number
}

/**
 * Turns text into a vector whose direction carries its meaning: texts that mean similar things
 * get vectors with a high cosine similarity. Discovery embeds each capability (its name,
 * description, tags and schema) and each query, and ranks by their similarity. The word-vector
 * adapter averages pretrained word vectors; a sentence model can replace it behind this port.
 */
export interface Embedder {
  /**
   * Names the model and its version. Vectors of different models are not comparable: a stored
   * vector of another model is embedded again.
   */
  readonly model: string
  readonly dimensions: number
  /**
   * One unit vector per passage (a passage is a list of weighted texts), in order; all zeros for
   * a passage with no word the model knows. May load the model on first use.
   */
  embed(passages: WeightedText[][]): Promise<Float32Array[]>
}
