import type { ReactNode } from 'react';
import { PageHeader, Missing } from '../components/page';

export function CompliancePage(): ReactNode {
  return (
    <>
      <PageHeader title="Compliance" crumbs="Security Risks" />
      <Missing what="risks" />
    </>
  );
}
