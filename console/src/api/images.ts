/** Scanned images: paging through the list, and the name to show for one. */
import { api } from './client';
import type { Image } from './types';
import { shortDigest } from '../format';

/** Pages through GET /images (500 at a time) up to `max` images. */
export async function fetchImages(max = 5000, signal?: AbortSignal): Promise<Image[]> {
  const out: Image[] = [];
  let after: string | null = null;
  do {
    const page: { images: Image[]; next: string | null } = await api(`/api/v1/images?limit=500${after ? `&after=${encodeURIComponent(after)}` : ''}`, { signal });
    out.push(...page.images);
    after = page.next;
  } while (after && out.length < max);
  return out;
}

export function imageName(i: Image): string {
  const t = i.tags[0];
  return t ? `${t.repository}:${t.tag}` : shortDigest(i.digest);
}
