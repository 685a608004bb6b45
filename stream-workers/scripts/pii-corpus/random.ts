/** The corpus generator's seeded randomness: the same numbers in the same order on every run. */
let seed = 20261202;
export const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
export const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
export const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
export const digits = (n: number) => Array.from({ length: n }, () => int(0, 9)).join('');
