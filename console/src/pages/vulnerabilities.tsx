import type { ReactNode } from 'react';
import { PageHeader, Missing } from '../components/page';

export function VulnerabilitiesPage(): ReactNode {
  return (
    <>
      <PageHeader title="Vulnerabilities" crumbs="Security Risks" />
      <Missing what="risks" />
    </>
  );
}
