/**
 * Subject keys by the token an event carries for their subject, and the tokens of erased
 * subjects: what the sink needs to read encrypted text (it has no token secret to compute
 * subject references with). Built by the store on first use, kept current by its reader.
 */
export class TokenIndex {
  private readonly byToken = new Map<string, string>();
  private readonly byName = new Map<string, string>();
  private readonly erased = new Set<string>();

  /** The key named `name` (`<ref>/<id>`) stands for `token`. */
  add(name: string, token: string): void {
    this.remove(name);
    this.byToken.set(token, name);
    this.byName.set(name, token);
  }

  remove(name: string): void {
    const token = this.byName.get(name);
    if (token === undefined) return;
    this.byName.delete(name);
    this.byToken.delete(token);
  }

  addErased(tokens: Iterable<string>): void {
    for (const t of tokens) this.erased.add(t);
  }

  /** The key's name, or `{ erased: true }`, or undefined when no key is known for the token. */
  lookup(token: string): string | { erased: true } | undefined {
    return this.erased.has(token) ? { erased: true } : this.byToken.get(token);
  }
}
