// Regenerates the golden torch outputs of optim/'s references: npx tsx tests/reference/optim/write-golden.ts

import { scenarios, scheduleCases } from './scenarios';
import { OPTIM_REF, SCHEDULE_REF, writeGolden } from './torch-reference';

for (const [spec, input] of [[OPTIM_REF, scenarios()], [SCHEDULE_REF, scheduleCases()]] as const) {
  const ref = writeGolden(spec, input);
  console.log(`wrote ${spec.golden}: torch ${ref.torch}, ${ref.results.length} results, digest ${ref.digest}`);
}
