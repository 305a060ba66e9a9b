// models.spec: a catalog model or a model folder → its shape, resolved exactly as the estimator resolves its model.
import type { ModelSpecInfo } from '../common/adapter-methods';
import { modelSpec } from './estimate-service';

/** Relative folders resolve from the working folder, as estimate.run's do, so both pages read the same model. */
export function describeModel(model: string, cwd = process.cwd()): ModelSpecInfo {
  const { spec, name, source } = modelSpec(model, cwd);
  return { name, source, spec };
}
