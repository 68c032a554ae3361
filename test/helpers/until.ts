/** Polls `f` until it gives a truthy value (returned), or fails after `ms` naming what it waited for. */
export async function until<T>(what: string, f: () => Promise<T | undefined | false>, o: { ms?: number; everyMs?: number; ignoreErrors?: boolean } = {}): Promise<T> {
  const end = Date.now() + (o.ms ?? 60_000);
  for (;;) {
    const v = await (o.ignoreErrors ? f().catch(() => undefined) : f());
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, o.everyMs ?? 100));
  }
}
