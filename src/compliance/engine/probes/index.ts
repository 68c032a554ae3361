/** The probe registry: one runner per `kind` a definition may use. */
import type { ProbeRunner } from '../probe-types.js';
import type { Probe, ProbeKind } from '../types.js';
import { configKeyProbe, fileContentProbe, fileProbe } from './file-probes.js';
import { containerProbe, imageProbe } from './object-probes.js';
import { settingProbe } from './setting-probe.js';
import { auditRuleProbe, commandProbe, mountProbe, sysctlProbe } from './system-probes.js';

export const PROBES: ReadonlyMap<ProbeKind, ProbeRunner> = new Map<ProbeKind, ProbeRunner>(
  ([fileProbe, fileContentProbe, configKeyProbe, settingProbe, sysctlProbe, mountProbe, containerProbe, imageProbe, commandProbe, auditRuleProbe] as unknown as ProbeRunner<Probe>[]).map((r) => [r.kind, r]),
);
