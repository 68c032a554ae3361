/**
 * `…/report.csv` and `…/report.pdf` for a resource: one route per format, the finding filters
 * in the query (checked by src/server/reports/filter.ts), the file streamed as a download.
 * Each resource says only what is in scope.
 */
import type { FastifyRequest } from 'fastify';
import { Type, type Static, type TObject } from 'typebox';
import { REPORT_FORMATS, parseFindingFilter, renderReport, type FindingFilter, type ReportInput } from '../reports/index.js';
import type { VigilServer } from '../types.js';
import { errors } from './schemas.js';

/** The report filters, for the OpenAPI document (the parser names a bad or unknown one). */
export const ReportQueryT = Type.Object(
  {
    severity: Type.Optional(Type.Array(Type.String(), { description: 'critical, high, medium, low, negligible, unknown (repeat or comma-separate)' })),
    fixable: Type.Optional(Type.String({ description: 'true: only findings with a fixed version; false: only those without' })),
    text: Type.Optional(Type.String({ description: 'matches id, alias, package or title' })),
    package: Type.Optional(Type.Array(Type.String())),
    id: Type.Optional(Type.Array(Type.String())),
  },
  { additionalProperties: true },
);

export interface ReportRouteOptions<P extends TObject> {
  /** `/:digest` → `/:digest/report.csv` and `/:digest/report.pdf` */
  base: string;
  tag: string;
  /** "the image's vulnerabilities" */
  what: string;
  params: P;
  /** Query keys the resource reads itself (besides the filters). */
  otherKeys?: string[];
  load(req: FastifyRequest<{ Params: Static<P>; Querystring: Record<string, unknown> }>, filter: FindingFilter): Promise<ReportInput>;
}

export function reportRoutes<P extends TObject>(app: VigilServer, o: ReportRouteOptions<P>): void {
  for (const format of REPORT_FORMATS) {
    app.get(
      `${o.base}/report.${format}`,
      {
        config: { scope: 'read' },
        schema: {
          tags: [o.tag],
          summary: `${o.what} as ${format.toUpperCase()}: only the rows the filter keeps${format === 'pdf' ? ', with a summary at the top' : ''}`,
          params: o.params,
          querystring: ReportQueryT,
          produces: [format === 'csv' ? 'text/csv' : 'application/pdf'],
          response: { 200: Type.Unknown({ description: `the ${format.toUpperCase()} file` }), ...errors(400, 401, 403, 404) },
        },
      },
      async (req, reply) => {
        const query = req.query as Record<string, unknown>;
        const filter = parseFindingFilter(query, { otherKeys: o.otherKeys ?? [] });
        const out = renderReport(format, await o.load(req as never, filter));
        return reply.type(out.contentType).header('content-disposition', out.contentDisposition).send(out.stream);
      },
    );
  }
}
