// Instruction verbs and their direct objects (Self-Instruct's verb-noun analysis), found with compromise's POS tags.
//
// Self-Instruct (Wang et al., 2023) parsed each instruction and kept the verb closest to the root with its first
// direct noun object ("write" + "poem"). compromise has no dependency parse, so this approximates it: the first
// imperative verb of the first sentences (or the first non-auxiliary verb), then the head of the noun phrase right
// after it. Loaded on demand: compromise takes ~0.5 s to import.
import nlp from 'compromise';
import type { VerbCount } from '../../common/data-analysis';

export interface VerbObject {
  verb: string; // lemma
  noun: string | null; // singular; null when no direct object follows ("Write about …", "Explain why …")
}

interface Term {
  normal: string;
  root?: string;
  tags: string[];
}

/** Verbs that carry no task of their own: "is", "can", "do", "have", "let". */
const LIGHT = new Set(['be', 'can', 'could', 'do', 'have', 'let', 'may', 'might', 'must', 'shall', 'should', 'will', 'would']);
/** Words that may stand between a verb and its object's head noun: "give [me] [a] [short] list". */
const SKIPPABLE = ['Determiner', 'Adjective', 'Adverb', 'Value', 'Pronoun', 'Possessive', 'Expression'];
const SENTENCES = 3;

/** The instruction verb and its object in TEXT (a first user turn); null when it has no verb (a question, a fragment). */
export function verbObject(text: string): VerbObject | null {
  const doc = nlp(text.slice(0, 300)); // the instruction is at the start: tagging a whole essay would be wasted
  doc.compute('root');
  const sentences = (doc.json() as { terms: Term[] }[]).slice(0, SENTENCES).map((s) => s.terms);
  // An imperative in any of the first sentences wins ("Hello! Write a poem." → write), else the first sentence's verb.
  for (const terms of sentences) {
    const i = terms.findIndex((t, at) => isImperative(terms, at) && !isLight(t));
    if (i >= 0) return { verb: lemma(terms[i]!), noun: objectAfter(terms, i) };
  }
  const first = sentences[0] ?? [];
  const i = first.findIndex((t) => has(t, 'Verb') && !has(t, 'Auxiliary') && !has(t, 'Copula') && !has(t, 'Modal') && !has(t, 'Gerund') && !isLight(t));
  return i >= 0 ? { verb: lemma(first[i]!), noun: objectAfter(first, i) } : null;
}

/**
 * compromise tags most imperatives, but not all ("Explain quantum computing." is tagged a plain present): a base-form
 * verb that opens the sentence, after at most "please"/"now"-like words, is one too.
 */
function isImperative(terms: Term[], at: number): boolean {
  const t = terms[at]!;
  if (has(t, 'Participle') || has(t, 'Gerund')) return false;
  if (has(t, 'Imperative')) return true;
  return has(t, 'Verb') && has(t, 'Infinitive') && terms.slice(0, at).every((p) => has(p, 'Expression') || has(p, 'Adverb'));
}

/** Head of the noun phrase right after the verb: the last noun of the first run of nouns ("the following sentence" → sentence). */
function objectAfter(terms: Term[], verbAt: number): string | null {
  let head: string | null = null;
  for (let j = verbAt + 1; j < terms.length && j <= verbAt + 8; j++) {
    const t = terms[j]!;
    const noun = has(t, 'Noun') && !has(t, 'Pronoun');
    if (noun) head = lemma(t);
    else if (head !== null || !SKIPPABLE.some((tag) => has(t, tag))) break; // the run ended, or a preposition/verb came first
  }
  return head;
}

/** Counts VERB-OBJECT pairs into the top VERBS verbs, each with its top OBJECTS nouns. */
export function tallyVerbs(pairs: Iterable<VerbObject>, verbs = 20, objects = 5): VerbCount[] {
  const byVerb = new Map<string, { count: number; nouns: Map<string, number> }>();
  for (const { verb, noun } of pairs) {
    const entry = byVerb.get(verb) ?? { count: 0, nouns: new Map<string, number>() };
    entry.count++;
    if (noun) entry.nouns.set(noun, (entry.nouns.get(noun) ?? 0) + 1);
    byVerb.set(verb, entry);
  }
  return top([...byVerb], verbs, ([, e]) => e.count).map(([verb, e]) => ({
    verb,
    count: e.count,
    objects: top([...e.nouns], objects, ([, c]) => c).map(([noun, count]) => ({ noun, count })),
  }));
}

/** The N largest by KEY; ties in first-seen order, so equal counts come out the same every run. */
function top<T>(items: T[], n: number, key: (item: T) => number): T[] {
  return items.map((item, i) => ({ item, i })).sort((a, b) => key(b.item) - key(a.item) || a.i - b.i).slice(0, n).map((x) => x.item);
}

function has(term: Term, tag: string): boolean {
  return term.tags.includes(tag);
}

function isLight(term: Term): boolean {
  return LIGHT.has(lemma(term));
}

function lemma(term: Term): string {
  return (term.root || term.normal).replace(/[^\p{L}\p{N}'-]/gu, '');
}
