// Schema of a dataset analysis (data/analysis/analyze-dataset.ts) as the renderer displays it.
import { z } from 'zod';

/** Counts in bins: bin i holds values v with edges[i] <= v < edges[i + 1]; the bins cover every value, so counts sum to the total. */
export const Histogram = z.object({
  edges: z.array(z.number()),
  counts: z.array(z.number().int().min(0)),
  total: z.number().int().min(0),
  min: z.number(),
  max: z.number(),
  mean: z.number(),
  median: z.number(),
});
export type Histogram = z.infer<typeof Histogram>;

/** A language code (ISO 639-1), 'other' (the languages past the top 12) or 'und' (too short or unrecognised). */
export const LanguageCount = z.object({ language: z.string(), count: z.number().int().min(0) });
export type LanguageCount = z.infer<typeof LanguageCount>;

export const VerbCount = z.object({
  verb: z.string(), // lemma: "write", "translate"
  count: z.number().int().min(0),
  objects: z.array(z.object({ noun: z.string(), count: z.number().int().min(0) })), // singular: "poem"
});
export type VerbCount = z.infer<typeof VerbCount>;

export const TopicCluster = z.object({
  size: z.number().int().min(0), // records of the sample in the cluster
  terms: z.array(z.string()), // the centroid's heaviest TF-IDF terms
  examples: z.array(z.string()), // prompt snippets nearest the centroid
});
export type TopicCluster = z.infer<typeof TopicCluster>;

/** Which constraint cues a prompt carries (data/analysis/constraints.ts says how each is recognised). */
export const ConstraintCue = z.enum(['obligation', 'limit', 'length', 'format', 'negation', 'list']);
export type ConstraintCue = z.infer<typeof ConstraintCue>;

export const DatasetAnalysis = z.object({
  records: z.number().int().min(0),
  withSystem: z.number().int().min(0),
  /** Turns = assistant replies per record. */
  turns: Histogram,
  promptChars: Histogram,
  answerChars: Histogram,
  /** Tokens of the whole record (system, prompts and answers) under the chosen tokenizer; null without one. */
  tokens: Histogram.nullable(),
  /** Language of each record (its first prompt and the start of its answer), most frequent first; sums to `records`. */
  languages: z.array(LanguageCount),
  verbs: z.object({
    sampled: z.number().int().min(0), // first user turns sampled
    english: z.number().int().min(0), // of those, the ones analysed: in English or too short to tell (compromise tags English only)
    withVerb: z.number().int().min(0), // of those, the ones with an instruction verb found
    top: z.array(VerbCount),
  }),
  topics: z.object({
    sampled: z.number().int().min(0),
    k: z.number().int().min(0),
    clusters: z.array(TopicCluster), // largest first
  }),
  complexity: z.object({
    promptWordsMean: z.number(),
    promptWordsMedian: z.number(),
    turnsMean: z.number(),
    /** Share of prompts with at least one constraint cue. */
    constrainedFraction: z.number().min(0).max(1),
    /** Prompts carrying each cue. */
    cues: z.record(ConstraintCue, z.number().int().min(0)),
  }),
});
export type DatasetAnalysis = z.infer<typeof DatasetAnalysis>;
