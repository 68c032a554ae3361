/**
 * The constraints of the official SPDX 2.3 JSON schema (spdx/spdx-spec schemas/spdx-schema.json,
 * draft 2019-09) that apply to the fields Vigil writes: required fields, closed objects
 * (additionalProperties: false), the date and SPDXID patterns and the enums. No npm package
 * ships the official schema and the build host cannot download it, so the tests check against
 * this transcription instead. Test-only (under __fixtures__, so not built).
 */
const DATE = '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]|23:59:60)Z$';

const RELATIONSHIP_TYPES = [
  'VARIANT_OF', 'COPY_OF', 'PATCH_FOR', 'TEST_DEPENDENCY_OF', 'CONTAINED_BY', 'DATA_FILE_OF', 'OPTIONAL_COMPONENT_OF',
  'ANCESTOR_OF', 'GENERATES', 'CONTAINS', 'OPTIONAL_DEPENDENCY_OF', 'FILE_ADDED', 'REQUIREMENT_DESCRIPTION_FOR',
  'DEV_DEPENDENCY_OF', 'DEPENDENCY_OF', 'BUILD_DEPENDENCY_OF', 'DESCRIBES', 'PREREQUISITE_FOR', 'HAS_PREREQUISITE',
  'PROVIDED_DEPENDENCY_OF', 'DYNAMIC_LINK', 'DESCRIBED_BY', 'METAFILE_OF', 'DEPENDENCY_MANIFEST_OF', 'PATCH_APPLIED',
  'RUNTIME_DEPENDENCY_OF', 'TEST_OF', 'TEST_TOOL_OF', 'DEPENDS_ON', 'SPECIFICATION_FOR', 'FILE_MODIFIED',
  'DISTRIBUTION_ARTIFACT', 'AMENDS', 'DOCUMENTATION_OF', 'GENERATED_FROM', 'STATIC_LINK', 'OTHER', 'BUILD_TOOL_OF',
  'TEST_CASE_OF', 'PACKAGE_OF', 'DESCENDANT_OF', 'FILE_DELETED', 'EXPANDED_FROM_ARCHIVE', 'DEV_TOOL_OF', 'EXAMPLE_OF',
];

const CHECKSUM_ALGORITHMS = [
  'SHA1', 'BLAKE3', 'SHA3-384', 'SHA256', 'SHA384', 'BLAKE2b-512', 'BLAKE2b-256', 'SHA3-512', 'MD2', 'ADLER32', 'MD4',
  'SHA3-256', 'BLAKE2b-384', 'SHA512', 'MD6', 'MD5', 'SHA224',
];

const PACKAGE_PURPOSES = [
  'OTHER', 'INSTALL', 'ARCHIVE', 'FIRMWARE', 'APPLICATION', 'FRAMEWORK', 'LIBRARY', 'CONTAINER', 'SOURCE', 'DEVICE',
  'OPERATING-SYSTEM', 'FILE',
];

const str = { type: 'string' } as const;

export const SPDX_2_3_SCHEMA_SUBSET = {
  $schema: 'https://json-schema.org/draft/2019-09/schema',
  type: 'object',
  required: ['SPDXID', 'creationInfo', 'dataLicense', 'name', 'spdxVersion', 'documentNamespace'],
  additionalProperties: false,
  properties: {
    $schema: str,
    SPDXID: str,
    comment: str,
    name: str,
    spdxVersion: str,
    dataLicense: str,
    documentNamespace: str,
    documentDescribes: { type: 'array', items: str },
    creationInfo: {
      type: 'object',
      required: ['created', 'creators'],
      additionalProperties: false,
      properties: {
        comment: str,
        created: { type: 'string', pattern: DATE },
        creators: { type: 'array', minItems: 1, items: str },
        licenseListVersion: str,
      },
    },
    packages: {
      type: 'array',
      items: {
        type: 'object',
        required: ['SPDXID', 'downloadLocation', 'name'],
        additionalProperties: false,
        properties: {
          SPDXID: { type: 'string', pattern: '^SPDXRef-[a-zA-Z0-9.-]+$' },
          builtDate: { type: 'string', pattern: DATE },
          checksums: {
            type: 'array',
            items: {
              type: 'object',
              required: ['algorithm', 'checksumValue'],
              additionalProperties: false,
              properties: {
                algorithm: { type: 'string', enum: CHECKSUM_ALGORITHMS },
                checksumValue: { type: 'string', pattern: '^[0-9a-fA-F]+$' },
              },
            },
          },
          comment: str,
          copyrightText: str,
          description: str,
          downloadLocation: str,
          externalRefs: {
            type: 'array',
            items: {
              type: 'object',
              required: ['referenceCategory', 'referenceLocator', 'referenceType'],
              additionalProperties: false,
              properties: {
                comment: str,
                referenceCategory: {
                  type: 'string',
                  enum: ['OTHER', 'PERSISTENT-ID', 'PERSISTENT_ID', 'SECURITY', 'PACKAGE-MANAGER', 'PACKAGE_MANAGER'],
                },
                referenceLocator: str,
                referenceType: str,
              },
            },
          },
          filesAnalyzed: { type: 'boolean' },
          homepage: str,
          licenseComments: str,
          licenseConcluded: str,
          licenseDeclared: str,
          licenseInfoFromFiles: { type: 'array', items: str },
          name: str,
          originator: str,
          packageFileName: str,
          primaryPackagePurpose: { type: 'string', enum: PACKAGE_PURPOSES },
          releaseDate: { type: 'string', pattern: DATE },
          sourceInfo: str,
          summary: str,
          supplier: str,
          validUntilDate: { type: 'string', pattern: DATE },
          versionInfo: str,
        },
      },
    },
    relationships: {
      type: 'array',
      items: {
        type: 'object',
        required: ['spdxElementId', 'relatedSpdxElement', 'relationshipType'],
        additionalProperties: false,
        properties: {
          spdxElementId: str,
          comment: str,
          relatedSpdxElement: str,
          relationshipType: { type: 'string', enum: RELATIONSHIP_TYPES },
        },
      },
    },
  },
} as const;
