/**
 * JSON Schema of a benchmark definition file. Definitions are validated when loaded: a schema
 * error in a shipped definition is a bug, and a test loads every one.
 */
import { CHECK_LEVELS, CHECK_TYPES } from '../types.js';
import { OPERATORS } from './types.js';

const str = { type: 'string', minLength: 1 };
const strList = { type: 'array', items: str, minItems: 1 };

const settingRef = {
  process: str,
  flag: strList,
  key: str,
  precedence: { enum: ['flag', 'config'] },
  multi: { type: 'boolean' },
  default: {},
};

const settingRefSchema = { type: 'object', additionalProperties: false, required: ['process'], properties: settingRef };

function probe(kind: string, required: string[], properties: Record<string, unknown>) {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['kind', ...required],
    properties: { kind: { const: kind }, as: { type: 'string', pattern: '^[a-z][a-zA-Z0-9_]*$' }, ...properties },
  };
}

const probeSchema = {
  oneOf: [
    probe('file', [], { paths: strList, pathFrom: settingRefSchema, glob: str }),
    probe('file-content', ['paths', 'regex'], { paths: strList, regex: str }),
    probe('config-key', ['paths', 'format', 'key'], { paths: strList, format: { enum: ['json', 'yaml'] }, key: str }),
    probe('setting', ['process'], settingRef),
    probe('sysctl', ['key'], { key: str }),
    probe('mount', ['path'], { path: str, pathFrom: settingRefSchema }),
    probe('container', [], {}),
    probe('image', [], {}),
    probe('command', ['command', 'args'], { command: { type: 'string', pattern: '^[a-zA-Z0-9_.-]+$' }, args: { type: 'array', items: { type: 'string' } } }),
    probe('audit-rule', ['paths'], { paths: strList }),
  ],
};

const testSchema = {
  $id: 'test',
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['op'],
      properties: { probe: str, field: str, op: { enum: [...OPERATORS] }, value: {} },
    },
    { type: 'object', additionalProperties: false, required: ['and'], properties: { and: { type: 'array', minItems: 1, items: { $ref: 'test' } } } },
    { type: 'object', additionalProperties: false, required: ['or'], properties: { or: { type: 'array', minItems: 1, items: { $ref: 'test' } } } },
    { type: 'object', additionalProperties: false, required: ['not'], properties: { not: { $ref: 'test' } } },
  ],
};

const level = { enum: [...CHECK_LEVELS] };

export const checkSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'title', 'type', 'profile', 'scored', 'automated', 'remediation', 'tags'],
  properties: {
    id: { type: 'string', pattern: '^[A-Z]?[0-9]+(\\.[0-9]+)*$' },
    title: str,
    type: { enum: [...CHECK_TYPES] },
    profile: { enum: ['Level 1', 'Level 2'] },
    scored: { type: 'boolean' },
    automated: { type: 'boolean' },
    manual: str,
    audit: { type: 'array', items: probeSchema },
    when: { $ref: 'test' },
    unless: { type: 'object', additionalProperties: false, required: ['level', 'reason'], properties: { level, reason: str } },
    test: { $ref: 'test' },
    onFail: level,
    onMissing: level,
    report: level,
    remediation: str,
    tags: { type: 'array', items: { enum: ['HIPAA', 'PCI', 'GDPR', 'NIST'] } },
  },
};

export const benchmarkSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'title', 'target', 'processes', 'sections', 'checks'],
  properties: {
    id: { type: 'string', pattern: '^[a-z0-9.-]+$' },
    title: str,
    target: { enum: ['host', 'node'] },
    processes: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['names'],
        properties: {
          names: strList,
          configFlag: str,
          configPaths: strList,
          configFormat: { enum: ['json', 'yaml'] },
          kubeComponent: { enum: ['apiserver', 'controller-manager', 'scheduler', 'kubelet', 'proxy', 'etcd'] },
        },
      },
    },
    sections: { type: 'object', additionalProperties: str },
    checks: { type: 'array', minItems: 1, items: checkSchema },
  },
};

export { testSchema };
