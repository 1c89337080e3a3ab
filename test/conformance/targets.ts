import type { ConformanceTarget } from '../../electron/core/erp/conformance';
import { eclipseConformanceTarget } from '../../electron/core/erp/eclipse/conformance-target';
import { abasConformanceTarget } from '../../electron/core/erp/abas/conformance-target';
import { p21ConformanceTarget } from '../../electron/core/erp/p21/conformance-target';
import { sapEccConformanceTarget } from '../../electron/core/erp/sap-ecc/conformance-target';
import { sage100ConformanceTarget } from '../../electron/core/erp/sage100/conformance-target';
import { fileConformanceTarget } from '../../electron/core/erp/file/conformance-target';

// One entry per ERP kind: add one import line and one array entry.
export const CONFORMANCE_TARGETS: readonly ConformanceTarget[] = [
  eclipseConformanceTarget,
  abasConformanceTarget,
  sapEccConformanceTarget,
  p21ConformanceTarget,
  sage100ConformanceTarget,
  fileConformanceTarget,
];
