import { describe, expect, test } from 'vitest';
import { COMPLIANCE_PDF_MAX_ROWS, compliancePdf, describeComplianceQuery } from './compliance-export.js';

async function* none() {}

describe('compliance export', () => {
  test('a PDF above the bound is a 400 that points to the CSV, before any row is read', async () => {
    const p = compliancePdf({ title: 't', query: {}, total: COMPLIANCE_PDF_MAX_ROWS + 1, rows: none(), now: new Date(0) });
    await expect(p).rejects.toMatchObject({ code: 'bad-request', message: expect.stringMatching(/download the CSV/) });
  });

  test.each`
    query                                                                               | words
    ${{}}                                                                               | ${'level WARN'}
    ${{ levels: ['WARN', 'INFO'], q: 'docker' }}                                        | ${'level WARN, INFO; text contains "docker"'}
    ${{ benchmark: ['cis-k8s'], view: 'infrastructure', assets: { node: { values: ['n1'], match: 'contains' } } }} | ${'level WARN; benchmark cis-k8s; view infrastructure; node contains n1'}
  `('describeComplianceQuery($query) is "$words"', ({ query, words }) => {
    expect(describeComplianceQuery(query)).toBe(words);
  });
});
