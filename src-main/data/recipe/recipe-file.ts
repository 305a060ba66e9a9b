// Recipes as YAML files: parsing with errors that name the step and field, checking every step against its operator,
// and writing a recipe back (with each operator's parameters spelled out, so a saved recipe documents itself).
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';

import { ApiError } from '../../common/errors';
import { Recipe, type RecipeStep } from '../../common/datasets';
import { describeZodIssues } from './zod-issues';
import { operatorByName } from '../ops';
import type { Operator } from '../ops/operator';

export interface ResolvedStep {
  step: number; // 1-based, as the person counts them
  op: Operator;
  params: Record<string, unknown>;
}

/** Validates every step's operator and parameters; the error names the step, the operator and the field. */
export function resolveRecipe(recipe: Recipe, where = 'recipe'): ResolvedStep[] {
  if (recipe.steps.length === 0) throw new ApiError('invalid-input', `${where}: the recipe has no steps`);
  return recipe.steps.map((s, i) => {
    const op = operatorByName(s.op, `${where} step ${i + 1}`);
    const parsed = op.params.safeParse(s.params ?? {});
    if (!parsed.success) {
      throw new ApiError('invalid-input', `${where} step ${i + 1} (${s.op}): ${describeZodIssues(parsed.error, 'params').join('; ')}`);
    }
    return { step: i + 1, op, params: parsed.data };
  });
}

/** Reads a recipe from YAML text: `steps: [{op: exact_dedup, params: {...}}, ...]` (a bare list of steps works too). */
export function parseRecipeYaml(text: string, where = 'recipe'): Recipe {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ApiError('invalid-input', `${where}: not valid YAML (${(err as Error).message.split('\n')[0]})`);
  }
  if (Array.isArray(doc)) doc = { steps: doc };
  const parsed = Recipe.safeParse(doc);
  if (!parsed.success) throw new ApiError('invalid-input', `${where}: ${describeZodIssues(parsed.error).join('; ')} (expected "steps:" with a list of {op, params})`);
  resolveRecipe(parsed.data, where);
  return parsed.data;
}

/** The recipe as YAML with every parameter filled in (defaults included), in step order. */
export function recipeToYaml(recipe: Recipe): string {
  const steps: RecipeStep[] = resolveRecipe(recipe).map((s) => ({ op: s.op.name, params: s.params }));
  return stringifyYaml({ ...(recipe.name ? { name: recipe.name } : {}), steps });
}

