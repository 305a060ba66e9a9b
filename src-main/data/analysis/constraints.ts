// Constraint cues in a prompt: the heuristic behind "fraction of prompts with constraints" (a complexity indicator).
//
// A prompt is counted as constrained when it carries at least one cue. Each cue is a surface pattern, in English only,
// chosen after instruction-following benchmarks such as IFEval whose checkable instructions are of these kinds:
//   obligation  must, have to, make sure, ensure, be sure to, required
//   limit       at most / at least / no more than / no fewer than / exactly / maximum / minimum / up to / between N and M
//   length      a number (digits or one…twenty) with a countable unit: "in 50 words", "three bullet points", "5 sentences"
//   format      named output formats: JSON, YAML, CSV, XML, Markdown, table, bullet/numbered list, "format", "in the style of", "tone"
//   negation    do not / don't / never / avoid / without / refrain from
//   list        the prompt itself holds a bullet or numbered list (requirements spelled out item by item)
// A bare number ("What is 2+2?") is not a cue: arithmetic is content, not a constraint on the answer.
import type { ConstraintCue } from '../../common/data-analysis';

const NUMBER = String.raw`(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|a few|a single)`;
const UNIT = String.raw`(?:words?|sentences?|paragraphs?|characters?|lines?|bullets?|bullet points?|points?|items?|steps?|examples?|questions?|sections?|stanzas?|verses?|pages?|tweets?|haikus?|options?|ideas?|tips?|reasons?)`;

const CUES: Record<ConstraintCue, RegExp> = {
  obligation: /\b(must|have to|has to|make sure|ensure|be sure to|required?)\b/i,
  limit: new RegExp(String.raw`\b(at most|at least|no more than|no fewer than|no less than|not exceed|exactly|maximum|minimum|up to ${NUMBER}|between \d+ and \d+)\b`, 'i'),
  length: new RegExp(String.raw`\b${NUMBER}[\s-]+(?:short |long |concise |brief |separate |different |key |main )?${UNIT}\b`, 'i'),
  format: /\b(json|yaml|csv|xml|markdown|table|bullet(?:ed)? list|numbered list|format(?:ted)?|in the style of|tone|title case|all caps|capital letters)\b/i,
  negation: /\b(do not|don't|never|avoid|without|refrain from)\b/i,
  list: /^\s*(?:[-*•]|\d+[.)])\s+\S/m,
};

export const CONSTRAINT_CUES = Object.keys(CUES) as ConstraintCue[];

/** The cues PROMPT carries (each at most once). */
export function constraintCues(prompt: string): ConstraintCue[] {
  return CONSTRAINT_CUES.filter((cue) => CUES[cue].test(prompt));
}
