// Operator language_filter: keeps records whose text is confidently in one of the chosen languages (eld, per sentence).
import { z } from 'zod';
import { defineOperator, KEEP, type Decision } from './operator';
import { allText, answerText, promptText } from './record-text';

const Params = z.object({
  /** ISO 639-1 codes to keep. */
  languages: z.array(z.string().min(2).max(3)).min(1).default(['en']),
  /** The share of the text that must read clearly as the language (see LanguageGuess.confidence). */
  minConfidence: z.number().min(0).max(1).default(0.8),
  field: z.enum(['prompt_answer', 'prompt', 'answer']).default('prompt_answer'),
  /** Keep texts too short to judge ("Hi", "2+2?") instead of removing them. */
  keepUndetermined: z.boolean().default(false),
});
type Params = z.infer<typeof Params>;

const TEXT_OF = { prompt_answer: allText, prompt: promptText, answer: answerText } as const;

export const languageFilterOperator = defineOperator<Params>({
  name: 'language_filter',
  title: 'Language filter',
  description:
    'Removes records not written in the chosen languages, as data-juicer\'s language_id_score_filter does. Each sentence ' +
    'is identified separately (code blocks ignored), so a record that mixes languages gets a low confidence.',
  group: 'filter',
  params: Params,
  async create(params) {
    // Loaded here, not at the top: eld's n-gram table costs about a second and only this operator needs it.
    const { detectLanguage, MIN_LETTERS } = await import('../analysis/language-id');
    const keep = new Set(params.languages.map((l) => l.toLowerCase()));
    const textOf = TEXT_OF[params.field];
    const list = [...keep].join(', ');
    return (record): Decision => {
      const guess = detectLanguage(textOf(record));
      if (guess.language === null) {
        if (guess.letters < MIN_LETTERS) {
          return params.keepUndetermined ? KEEP : { action: 'remove', reason: `language undetermined: text too short (${guess.letters} letters)` };
        }
        return { action: 'remove', reason: `no recognisable language in ${guess.letters} letters of text` };
      }
      const conf = guess.confidence.toFixed(2);
      if (!keep.has(guess.language)) {
        return { action: 'remove', reason: `language ${guess.language} (confidence ${conf}) is not in ${list}` };
      }
      if (guess.confidence < params.minConfidence) {
        return {
          action: 'remove',
          reason: `language ${guess.language} with confidence ${conf}, below ${params.minConfidence} (mixed languages or unclear text)`,
        };
      }
      return KEEP;
    };
  },
});
