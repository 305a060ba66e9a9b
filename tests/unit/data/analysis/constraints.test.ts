// Constraint cues: each kind is recognised, and plain questions (even with numbers) carry none.
import { describe, expect, it } from 'vitest';
import { constraintCues } from '../../../../src-main/data/analysis/constraints';

describe('constraintCues', () => {
  it('recognises each kind of cue', () => {
    expect(constraintCues('You must cite a source.')).toEqual(['obligation']);
    expect(constraintCues('Use at most two examples.')).toEqual(expect.arrayContaining(['limit']));
    expect(constraintCues('Describe Paris in 50 words.')).toEqual(['length']);
    expect(constraintCues('Give three bullet points about tea.')).toEqual(['length']);
    expect(constraintCues('Answer in JSON.')).toEqual(['format']);
    expect(constraintCues("Don't mention the price.")).toEqual(['negation']);
    expect(constraintCues('Plan my trip:\n- cheap\n- by train')).toEqual(['list']);
  });

  it('finds several cues in one prompt', () => {
    expect(constraintCues('Write exactly 3 sentences. Do not use the letter e. Format it as a table.').sort()).toEqual(['format', 'length', 'limit', 'negation']);
  });

  it('finds none in plain requests and arithmetic', () => {
    expect(constraintCues('What is 2+2?')).toEqual([]);
    expect(constraintCues('Tell me about the history of Rome.')).toEqual([]);
  });
});
