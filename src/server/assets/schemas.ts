/** TypeBox schemas of the run-time asset routes (nodes, containers, groups, platforms, controllers, enforcers). */
import { Type, type Static, type TSchema } from 'typebox';
import type { PolicyMode } from '../store/schema.js';

const Nul = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Text = (max: number) => Type.String({ maxLength: max });
const NulText = (max: number) => Nul(Text(max));

/** A stable id the agent chooses (container id, node host name, …): usable in a URL path as is. */
export const AssetIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9][A-Za-z0-9._:@-]*$', description: 'a stable id: letters, digits and . _ : @ -' }) });
export const GroupParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9][A-Za-z0-9._:@-]*$' }) });

export const PolicyModeT = Type.Union([Type.Literal('discover'), Type.Literal('monitor'), Type.Literal('protect')]);
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const _modesMatch: Same<Static<typeof PolicyModeT>, PolicyMode> = true;

export const PageQuery = {
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  q: Type.Optional(Type.String({ maxLength: 256, description: 'name or id contains (case-insensitive)' })),
};
const Labels = Type.Record(Type.String({ maxLength: 256 }), Type.String({ maxLength: 1024 }), { maxProperties: 100 });
const State = Type.String({ minLength: 1, maxLength: 32, pattern: '^[a-z][a-z_-]*$', description: 'running (default), stopped, exited, …' });
const SummaryT = Nul(Type.Record(Type.String(), Type.Integer()));

export const ContainerIn = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 253 }),
    namespace: Type.Optional(NulText(253)),
    service: Type.Optional(NulText(253)),
    group: Type.Optional(Nul(Type.String({ minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9][A-Za-z0-9._:@-]*$', description: 'default nv.<service>.<namespace>' }))),
    image: Type.Optional(NulText(1024)),
    imageDigest: Type.Optional(NulText(140)),
    node: Type.Optional(NulText(253)),
    state: Type.Optional(State),
    labels: Type.Optional(Labels),
  },
  { additionalProperties: false },
);
export const ContainerT = Type.Object({
  id: Type.String(),
  name: Type.String(),
  namespace: Nul(Type.String()),
  service: Nul(Type.String()),
  group: Nul(Type.String()),
  policyMode: PolicyModeT,
  image: Nul(Type.String()),
  imageDigest: Nul(Type.String()),
  node: Nul(Type.String()),
  state: Type.String(),
  labels: Type.Record(Type.String(), Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const NodeIn = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 253 }),
    os: Type.Optional(NulText(128)),
    kernel: Type.Optional(NulText(128)),
    address: Type.Optional(NulText(256)),
    platform: Type.Optional(NulText(253)),
    group: Type.Optional(Type.String({ minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9][A-Za-z0-9._:@-]*$', description: 'default nodes' })),
    state: Type.Optional(State),
    labels: Type.Optional(Labels),
  },
  { additionalProperties: false },
);
export const NodeT = Type.Object({
  id: Type.String(),
  name: Type.String(),
  os: Nul(Type.String()),
  kernel: Nul(Type.String()),
  address: Nul(Type.String()),
  platform: Nul(Type.String()),
  group: Type.String(),
  policyMode: PolicyModeT,
  state: Type.String(),
  labels: Type.Record(Type.String(), Type.String()),
  summary: SummaryT,
  matchedAt: Nul(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const PlatformIn = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 253 }), type: Type.String({ minLength: 1, maxLength: 64, description: 'kubernetes, openshift, docker, …' }), version: Type.Optional(NulText(128)) },
  { additionalProperties: false },
);
export const PlatformT = Type.Object({ id: Type.String(), name: Type.String(), type: Type.String(), version: Nul(Type.String()), summary: SummaryT, matchedAt: Nul(Type.String()), createdAt: Type.String(), updatedAt: Type.String() });

export const ControllerIn = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 253 }), node: Type.Optional(NulText(253)), version: Type.Optional(NulText(128)), leader: Type.Optional(Type.Boolean()), state: Type.Optional(State) },
  { additionalProperties: false },
);
export const ControllerT = Type.Object({ id: Type.String(), name: Type.String(), node: Nul(Type.String()), version: Nul(Type.String()), leader: Type.Boolean(), state: Type.String(), createdAt: Type.String(), updatedAt: Type.String() });
export const EnforcerIn = Type.Object({ name: Type.String({ minLength: 1, maxLength: 253 }), node: Type.Optional(NulText(253)), version: Type.Optional(NulText(128)), state: Type.Optional(State) }, { additionalProperties: false });
export const EnforcerT = Type.Object({ id: Type.String(), name: Type.String(), node: Nul(Type.String()), version: Nul(Type.String()), state: Type.String(), createdAt: Type.String(), updatedAt: Type.String() });

export const GroupIn = Type.Object({ namespace: Type.Optional(NulText(253)), policyMode: Type.Optional(PolicyModeT), comment: Type.Optional(NulText(1024)) }, { additionalProperties: false });
export const GroupPatch = Type.Object({ policyMode: Type.Optional(PolicyModeT), comment: Type.Optional(NulText(1024)) }, { additionalProperties: false, minProperties: 1 });
export const GroupT = Type.Object({
  name: Type.String(),
  namespace: Nul(Type.String()),
  policyMode: PolicyModeT,
  comment: Nul(Type.String()),
  members: Type.Object({ containers: Type.Integer(), nodes: Type.Integer() }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

/** A SPEC JSON scan report, or an inventory (artifact + packages) to match here. Checked loosely: the matcher and the store read only these fields. */
const PackageT = Type.Object({ name: Type.String(), version: Type.String(), type: Type.String(), purl: Type.String() }, { additionalProperties: true });
const FindingT = Type.Object(
  {
    id: Type.String({ minLength: 1 }),
    aliases: Type.Array(Type.String()),
    package: Type.Object({ name: Type.String(), version: Type.String(), type: Type.String() }, { additionalProperties: true }),
    fixedVersion: Nul(Type.String()),
    severity: Type.Union(['critical', 'high', 'medium', 'low', 'negligible', 'unknown'].map((s) => Type.Literal(s))),
    kev: Type.Boolean(),
  },
  { additionalProperties: true },
);
export const AssetReportIn = Type.Object(
  {
    artifact: Type.Object({ type: Type.String(), name: Type.String() }, { additionalProperties: true }),
    packages: Type.Array(PackageT, { maxItems: 200_000 }),
    vulnerabilities: Type.Optional(Type.Array(FindingT, { maxItems: 500_000 })),
  },
  { additionalProperties: true, description: 'a SPEC JSON scan report (with vulnerabilities), or an inventory to match against the installed DB' },
);
export const AssetReportOut = Type.Object({ findings: Type.Integer(), matched: Type.Boolean({ description: 'true when an inventory was matched here' }), summary: Type.Record(Type.String(), Type.Integer()) });

export const ComplianceIn = Type.Object(
  {
    schemaVersion: Type.Literal(1),
    benchmark: Type.String({ minLength: 1, maxLength: 128 }),
    target: Type.Optional(Type.Object({}, { additionalProperties: true })),
    results: Type.Array(
      Type.Object(
        { id: Type.String({ minLength: 1, maxLength: 64 }), title: Type.String({ maxLength: 1024 }), level: Type.Union(['PASS', 'WARN', 'INFO', 'NOTE', 'MANUAL', 'ERROR'].map((s) => Type.Literal(s))) },
        { additionalProperties: true },
      ),
      { maxItems: 5000 },
    ),
  },
  { additionalProperties: true, description: 'a SPEC JSON compliance report (vigil bench … --format json)' },
);
export const ComplianceOut = Type.Object({ checks: Type.Integer(), failed: Type.Integer({ description: 'checks at WARN' }) });

/** Reports may be large: a node's full package list. */
export const REPORT_BODY_LIMIT = 64 * 1024 * 1024;
