import type { ErpKind } from './connector';
import type { ErpKindModule } from './kind-module';
import { abasModule } from './abas';
import { eclipseModule } from './eclipse';
import { fileModule } from './file';
import { p21Module } from './p21';
import { sage100Module } from './sage100';
import { sapEccModule } from './sap-ecc';

// Every ERP kind Tieout can talk to. Adding a kind = one module here.
const modules: Partial<Record<ErpKind, ErpKindModule>> = {
  p21: p21Module,
  eclipse: eclipseModule,
  abas: abasModule,
  sage100: sage100Module,
  file: fileModule,
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
