/**
 * The Bedrock embedding models the vectorize function can call, with the request shape each one speaks. Shared by
 * the environment contract (validation) and the embedder; free of SDK imports for the same reason as env.ts.
 */
export type EmbeddingFamily = "titan-v2" | "cohere-v3" | "cohere-v4";

export interface EmbeddingModel {
  readonly family: EmbeddingFamily;
  /** Output sizes the model supports. */
  readonly dimensions: readonly number[];
  /** Texts per InvokeModel request (Titan embeds one text per request; Cohere up to 96). */
  readonly maxBatch: number;
  /** Longest input the model accepts, in characters (Titan V2: 50,000; Cohere: 2,048 per text, truncated). */
  readonly maxInputChars: number;
}

const MODELS: Readonly<Record<string, EmbeddingModel>> = {
  "amazon.titan-embed-text-v2:0": {
    family: "titan-v2",
    dimensions: [256, 512, 1024],
    maxBatch: 1,
    maxInputChars: 50_000,
  },
  "cohere.embed-english-v3": { family: "cohere-v3", dimensions: [1024], maxBatch: 96, maxInputChars: 2048 },
  "cohere.embed-multilingual-v3": {
    family: "cohere-v3",
    dimensions: [1024],
    maxBatch: 96,
    maxInputChars: 2048,
  },
  "cohere.embed-v4:0": {
    family: "cohere-v4",
    dimensions: [256, 512, 1024, 1536],
    maxBatch: 96,
    maxInputChars: 2048,
  },
};

export const EMBEDDING_MODEL_IDS = Object.keys(MODELS);

// Cross-region inference profiles prefix the model id with a geography: us., eu., apac., us-gov., global. ...
const PROFILE_PREFIX = /^[a-z]{2,6}(-[a-z]+)?\.(?=(amazon|cohere)\.)/;

/** The model behind a model id or inference profile id, or undefined when it is not supported. */
export function embeddingModel(modelId: string): EmbeddingModel | undefined {
  return MODELS[modelId.replace(PROFILE_PREFIX, "")];
}
