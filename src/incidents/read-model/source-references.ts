// Timeline entries name sources by reference, and are worded when they are read (PRODUCT.md
// §3's confidentiality): a source made confidential later is then hidden in its whole
// history, and a rebuild writes the same entries whatever the sources are called by then.
// A reference is text no one types: brackets of U+27E6/U+27E7 around what it names.

const SOURCE = /⟦source('s)?:([0-9a-f-]{36})⟧/g;
const WORDS = /⟦words:([0-9a-f,-]+)⟧([\s\S]*?)⟦\/words⟧/g;

/** What a confidential source's words read as, to those not shown who it is. */
export const WORDS_WITHHELD = 'words withheld';

/** The source, named when the entry is read. */
export function sourceReference(sourceId: string): string {
  return `⟦source:${sourceId}⟧`;
}

/** Words of a source (and the conduits they came through), shown when the entry is read only if each of them may be known. */
export function wordsReference(sourceIds: readonly string[], words: string): string {
  return `⟦words:${sourceIds.join(',')}⟧${words}⟦/words⟧`;
}

/** A reference to words `sourceId` spoke or relayed, as it reads stored: to find the entries that quote it. */
export function wordsOfPattern(sourceId: string): string {
  return `⟦words:%${sourceId}%⟧`;
}

/** `text` with the words `sourceId` spoke or relayed (any source a words reference lists) replaced by `words`. */
export function withWordsOf(text: string, sourceId: string, words: string): string {
  return text.replace(WORDS, (reference, list: string) => {
    const sourceIds = list.split(',');
    return sourceIds.includes(sourceId) ? wordsReference(sourceIds, words) : reference;
  });
}

/** "JNIM's", "Russian military blogs'": of a reference, worded when read. */
export function possessive(name: string): string {
  const reference = /^⟦source:([0-9a-f-]{36})⟧$/.exec(name);
  if (reference) return `⟦source's:${reference[1]}⟧`;
  return name.endsWith('s') ? `${name}'` : `${name}'s`;
}

/** The sources `texts` refer to, each once. */
export function referencedSources(texts: readonly string[]): string[] {
  const ids = new Set<string>();
  for (const text of texts) {
    for (const [, , id] of text.matchAll(SOURCE)) ids.add(id);
    for (const [, list] of text.matchAll(WORDS)) for (const id of list.split(',')) ids.add(id);
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
    .replace(WORDS, (_, list: string, words: string) => (list.split(',').every((id) => shown(id)?.wordsShown) ? words : WORDS_WITHHELD))
    .replace(SOURCE, (_, owner: string | undefined, id: string) => {
      const name = shown(id)?.name ?? `source ${id}`;
      return owner ? possessive(name) : name;
    });
}
