// Timeline entries name sources by reference, and are worded when they are read (PRODUCT.md
// §3's confidentiality): a source made confidential later is then hidden in its whole
// history, and a rebuild writes the same entries whatever the sources are called by then.
// A reference is text no one types: brackets of U+27E6/U+27E7 around what it names.

const SOURCE = /⟦source:([0-9a-f-]{36})⟧/g;
const WORDS = /⟦words:([0-9a-f-]{36})⟧([\s\S]*?)⟦\/words⟧/g;

/** What a confidential source's words read as, to those not shown who it is. */
export const WORDS_WITHHELD = 'words withheld';

/** The source, named when the entry is read. */
export function sourceReference(sourceId: string): string {
  return `⟦source:${sourceId}⟧`;
}

/** A source's own words, shown when the entry is read only if the source may be known. */
export function wordsReference(sourceId: string, words: string): string {
  return `⟦words:${sourceId}⟧${words}⟦/words⟧`;
}

/** The sources `texts` refer to, each once. */
export function referencedSources(texts: readonly string[]): string[] {
  const ids = new Set<string>();
  for (const text of texts) {
    for (const [, id] of text.matchAll(SOURCE)) ids.add(id);
    for (const [, id] of text.matchAll(WORDS)) ids.add(id);
  }
  return [...ids];
}

/** How the reader is to be shown a source: its name, and whether its words may be shown. */
export interface ShownSource {
  name: string;
  wordsShown: boolean;
}

/** `text` with its references worded; `shown` answers undefined for a source it does not know. */
export function worded(text: string, shown: (sourceId: string) => ShownSource | undefined): string {
  return text
    .replace(WORDS, (_, id: string, words: string) => (shown(id)?.wordsShown ? words : WORDS_WITHHELD))
    .replace(SOURCE, (_, id: string) => shown(id)?.name ?? `source ${id}`);
}
