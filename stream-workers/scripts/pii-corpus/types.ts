/** One snippet of a corpus: its text and the personal data it holds. */
export interface CorpusEntry {
  text: string;
  /** The personal data in `text`, each with its kind; empty for a negative. */
  pii: { kind: string; value: string }[];
  lang: string;
}
