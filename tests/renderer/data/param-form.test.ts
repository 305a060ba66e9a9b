// The recipe builder's fields come from each operator's JSON Schema (as zod writes it): kinds, labels, limits, values back and forth.
import { describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import { z } from 'zod';
import DataParamForm from '../../../src-renderer/src/components/data/DataParamForm.vue';
import { fieldsFromSchema, fromInputValue, humanize, toInputValue } from '../../../src-renderer/src/components/data/param-form';

const params = z.object({
  lowercase: z.boolean().default(false).describe('Compare in lower case.'),
  threshold: z.number().min(0).max(1).default(0.8),
  n_gram: z.number().int().min(1).default(5),
  maxChars: z.number().int().positive().nullable().default(null),
  mode: z.enum(['redact', 'remove']).default('redact'),
  phrases: z.array(z.string()).default(['As an AI language model']),
  placeholder: z.string().default('[EMAIL]'),
  weights: z.record(z.string(), z.number()).default({}),
});
const schema = z.toJSONSchema(params, { io: 'input' }) as Record<string, unknown>;

describe('fieldsFromSchema', () => {
  it('maps each JSON Schema type to its input kind, with labels, limits and defaults', () => {
    const fields = fieldsFromSchema(schema);
    expect(fields.map((f) => [f.key, f.kind])).toEqual([
      ['lowercase', 'boolean'], ['threshold', 'number'], ['n_gram', 'integer'], ['maxChars', 'integer'], ['mode', 'enum'],
      ['phrases', 'string-list'], ['placeholder', 'string'], ['weights', 'json'],
    ]);
    const byKey = Object.fromEntries(fields.map((f) => [f.key, f]));
    expect(byKey.lowercase.description).toBe('Compare in lower case.');
    expect(byKey.threshold).toMatchObject({ min: 0, max: 1, default: 0.8, nullable: false });
    expect(byKey.n_gram.label).toBe('N gram');
    expect(byKey.maxChars).toMatchObject({ nullable: true, default: null, label: 'Max chars' });
    expect(byKey.mode.options).toEqual(['redact', 'remove']);
  });

  it('gives no fields for a schema without properties', () => {
    expect(fieldsFromSchema({})).toEqual([]);
    expect(fieldsFromSchema(null)).toEqual([]);
    expect(humanize('min_chars')).toBe('Min chars');
  });

  it('turns input text into params and back', () => {
    const byKey = Object.fromEntries(fieldsFromSchema(schema).map((f) => [f.key, f]));
    expect(fromInputValue(byKey.phrases, 'a\n\n b \n')).toEqual({ value: ['a', 'b'], error: null });
    expect(toInputValue(byKey.phrases, ['a', 'b'])).toBe('a\nb');
    expect(fromInputValue(byKey.threshold, '0.5')).toEqual({ value: 0.5, error: null });
    expect(fromInputValue(byKey.threshold, '2').error).toMatch(/at most 1/);
    expect(fromInputValue(byKey.n_gram, '2.5').error).toMatch(/whole number/);
    expect(fromInputValue(byKey.maxChars, '')).toEqual({ value: null, error: null });
    expect(fromInputValue(byKey.n_gram, '')).toEqual({ value: undefined, error: null });
    expect(fromInputValue(byKey.lowercase, true)).toEqual({ value: true, error: null });
    expect(fromInputValue(byKey.weights, '{"a":1}')).toEqual({ value: { a: 1 }, error: null });
    expect(fromInputValue(byKey.weights, '{').error).toMatch(/JSON/);
  });
});

describe('DataParamForm', () => {
  it('draws a checkbox, number inputs, a select, a textarea and a text box, and emits edited params', async () => {
    const wrapper = mount(DataParamForm, { props: { schema, modelValue: { phrases: ['x'] } } });
    const get = (key: string) => wrapper.get(`[data-testid="param-${key}"]`);
    expect(get('lowercase').attributes('type')).toBe('checkbox');
    expect(get('threshold').attributes('type')).toBe('number');
    expect(get('n_gram').attributes('step')).toBe('1');
    expect(get('mode').element.tagName).toBe('SELECT');
    expect(get('phrases').element.tagName).toBe('TEXTAREA');
    expect((get('phrases').element as HTMLTextAreaElement).value).toBe('x');
    expect((get('placeholder').element as HTMLInputElement).value).toBe('[EMAIL]'); // the default shows

    await get('lowercase').setValue(true);
    expect(wrapper.emitted('update:modelValue')!.at(-1)![0]).toEqual({ phrases: ['x'], lowercase: true });
    await get('phrases').setValue('one\ntwo');
    await get('phrases').trigger('change');
    expect(wrapper.emitted('update:modelValue')!.at(-1)![0]).toEqual({ phrases: ['one', 'two'] });
    await get('mode').setValue('remove');
    expect(wrapper.emitted('update:modelValue')!.at(-1)![0]).toMatchObject({ mode: 'remove' });
    const threshold = get('threshold').element as HTMLInputElement;
    threshold.setAttribute('value', '3'); // happy-dom clamps .value to max; a browser lets the person type it
    Object.defineProperty(threshold, 'value', { configurable: true, get: () => '3', set: () => {} });
    await get('threshold').trigger('change');
    expect(wrapper.text()).toContain('Threshold must be at most 1.');
  });
});
