import { resolveSetting } from '../settings.js';
import { ok, type ProbeResult, type ProbeRunner } from '../probe-types.js';
import type { SettingProbe } from '../types.js';

/** A daemon setting from its flag and its config file (see settings.ts for the precedence). */
export const settingProbe: ProbeRunner<SettingProbe> = {
  kind: 'setting',
  iterates: () => false,
  async run(p, env): Promise<ProbeResult> {
    const s = await resolveSetting(p, env);
    return s.status === 'ok' ? ok(s.value, s.source) : s;
  },
};
