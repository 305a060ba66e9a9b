// Regenerates the golden torch output of the anchor scenarios: npx tsx tests/unit/engine/optim/write-anchor-golden.ts

import { writeGolden } from '../../../reference/optim/torch-reference';
import { ANCHOR_REF, anchorScenarios } from './anchor-scenarios';

const ref = writeGolden(ANCHOR_REF, anchorScenarios());
console.log(`wrote ${ANCHOR_REF.golden}: torch ${ref.torch}, ${ref.results.length} results, digest ${ref.digest}`);
