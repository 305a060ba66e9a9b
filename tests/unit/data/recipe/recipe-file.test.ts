// Recipe files: the README's example parses and resolves against the real operators (so the docs cannot drift),
// errors name the step, operator and field, and a recipe written back spells out every default.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRecipeYaml, recipeToYaml, resolveRecipe } from '../../../../src-main/data/recipe/recipe-file';
import { OPERATORS } from '../../../../src-main/data/ops';

const README = readFileSync(resolve(__dirname, '../../../../README.md'), 'utf8');

describe('recipe files', () => {
  it("accepts the README's recipe, which uses every operator", () => {
    const yaml = /```yaml\n(steps:[\s\S]*?)```/.exec(README)?.[1];
    expect(yaml).toBeDefined();
    const recipe = parseRecipeYaml(yaml!, 'README.md');
    expect(recipe.steps.map((s) => s.op).sort()).toEqual(OPERATORS.map((o) => o.name).sort());
    expect(resolveRecipe(recipe).find((s) => s.op.name === 'length_limits')?.params).toMatchObject({ minChars: 10, maxWords: 4000 });
  });

  it('names the step, operator and field of a mistake', () => {
    expect(() => parseRecipeYaml('steps:\n  - op: exact_dedup\n  - op: exact_dedupe\n', 'r.yaml')).toThrow(/r\.yaml step 2: unknown operator "exact_dedupe"; expected one of .*exact_dedup/);
    expect(() => parseRecipeYaml('steps:\n  - op: special_characters\n    params: { maxRatio: 2, typo: 1 }\n', 'r.yaml')).toThrow(/r\.yaml step 1 \(special_characters\): params/);
    expect(() => parseRecipeYaml('steps: [unclosed', 'r.yaml')).toThrow(/r\.yaml: not valid YAML/);
    expect(() => parseRecipeYaml('steps: []\n', 'r.yaml')).toThrow(/r\.yaml: the recipe has no steps/);
  });

  it('writes a recipe back with every parameter, and reads it again to the same steps', () => {
    const yaml = recipeToYaml({ steps: [{ op: 'near_dedup', params: { threshold: 0.8 } }] });
    expect(yaml).toMatch(/threshold: 0\.8/);
    expect(yaml).toMatch(/numPerm: 256/);
    expect(resolveRecipe(parseRecipeYaml(yaml))[0].params).toEqual(resolveRecipe({ steps: [{ op: 'near_dedup', params: { threshold: 0.8 } }] })[0].params);
  });
});
