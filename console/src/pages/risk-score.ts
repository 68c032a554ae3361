/** One number to rank assets by: critical outweighs any number of highs, and so on down. */
export function riskScore(s: Partial<Record<string, number>> | null | undefined): number {
  if (!s) return -1;
  return (s.critical ?? 0) * 1e9 + (s.high ?? 0) * 1e6 + (s.medium ?? 0) * 1e3 + (s.low ?? 0);
}

export interface WorkloadRisk {
  id: string;
  name: string;
  namespace?: string | null;
  mode?: 'discover' | 'monitor' | 'protect';
  summary?: Partial<Record<string, number>> | null;
}
