import type { ConformanceTarget } from './conformance';
import { eclipseConformanceTarget } from './eclipse/conformance-target';
import { abasConformanceTarget } from './abas/conformance-target';
import { p21ConformanceTarget } from './p21/conformance-target';
import { sapEccConformanceTarget } from './sap-ecc/conformance-target';
import { sage100ConformanceTarget } from './sage100/conformance-target';
import { fileConformanceTarget } from './file/conformance-target';

// One entry per ERP kind: add one import line and one array entry.
// Used by the conformance suite (test/conformance/) and `tieout erp check --sandbox`.
export const CONFORMANCE_TARGETS: readonly ConformanceTarget[] = [
  eclipseConformanceTarget,
  abasConformanceTarget,
  sapEccConformanceTarget,
  p21ConformanceTarget,
  sage100ConformanceTarget,
  fileConformanceTarget,
];
