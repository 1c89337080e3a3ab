import type { ErpKind } from './connector';
import type { ErpKindModule } from './kind-module';
import { abasModule } from './abas';
import { eclipseModule } from './eclipse';
import { p21Module } from './p21';
import { sapEccModule } from './sap-ecc';

// Every ERP kind Tieout can talk to. Adding a kind = one module here.
const modules: Partial<Record<ErpKind, ErpKindModule>> = {
  p21: p21Module,
  eclipse: eclipseModule,
  abas: abasModule,
  'sap-ecc': sapEccModule,
};

export function erpModule(kind: ErpKind): ErpKindModule {
  const m = modules[kind];
  if (!m) throw Object.assign(new Error(`The ${kind} connector is not available in this build`), { kind: 'config' });
  return m;
}

export function availableErpKinds(): ErpKind[] {
  return Object.keys(modules) as ErpKind[];
}
