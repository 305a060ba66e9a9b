// boilerplate_phrases: removes records whose answer contains a refusal or "as an AI" boilerplate phrase.
import { z } from 'zod';
import { defineOperator, KEEP, type Decision } from './operator';
import { FIELD_LABEL, fieldText, TextField } from './text-units';

/** Refusals and assistant disclaimers that, trained on, teach a model to refuse or to talk about itself. */
export const DEFAULT_BOILERPLATE_PHRASES = [
  'As an AI language model',
  'as a large language model',
  'As an AI assistant, I',
  "I'm just an AI",
  "I'm sorry, but I cannot",
  "I'm sorry, but I can't",
  'I cannot fulfill',
  "I can't fulfill",
  "I'm unable to fulfill",
  "I don't have personal opinions",
  'I do not have personal opinions',
  "I don't have personal feelings",
  'I do not have the ability to',
  'As of my last knowledge update',
  'my knowledge cutoff',
  'goes against my programming',
  "violates OpenAI's content policy",
];

const params = z.object({
  phrases: z.array(z.string().trim().min(1)).default(() => [...DEFAULT_BOILERPLATE_PHRASES]),
  field: TextField.default('answer'),
}).strict();

/** Lower case, typographic apostrophes and quotes as ASCII, runs of whitespace as one space: how phrases are compared. */
function fold(text: string): string {
  return text.toLowerCase().replace(/[\u2018\u2019\u02BC]/g, "'").replace(/[\u201C\u201D]/g, '"').replace(/\s+/g, ' ');
}

export const boilerplatePhrasesOperator = defineOperator({
  name: 'boilerplate_phrases',
  title: 'Boilerplate phrases',
  description:
    'Removes records whose answer contains a refusal or assistant boilerplate ("As an AI language model…"), ' +
    'matched without regard to case. The phrase list is yours to edit.',
  group: 'filter',
  params,
  create(p) {
    const phrases = p.phrases.map((phrase) => ({ phrase, folded: fold(phrase) }));
    const label = FIELD_LABEL[p.field];
    return (record): Decision => {
      const text = fold(fieldText(record, p.field));
      const hit = phrases.find((x) => text.includes(x.folded));
      return hit ? { action: 'remove', reason: `${label} contains the boilerplate phrase "${hit.phrase}"` } : KEEP;
    };
  },
});
