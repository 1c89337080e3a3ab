import type { ConformanceTarget } from './conformance';
import { eclipseConformanceTarget } from '../erp/eclipse/conformance-target';
import { abasConformanceTarget } from '../erp/abas/conformance-target';
import { p21ConformanceTarget } from '../erp/p21/conformance-target';
import { sapEccConformanceTarget } from '../erp/sap-ecc/conformance-target';
import { sage100ConformanceTarget } from '../erp/sage100/conformance-target';
import { fileConformanceTarget } from '../erp/file/conformance-target';

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
