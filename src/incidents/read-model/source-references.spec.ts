// Timeline references to sources, worded when read: given an entry's text and how the reader
// is shown each source, then the words the reader gets.
import { possessive, referencedSources, sourceReference, worded, wordsReference } from './source-references.js';

const JNIM = '0190f17c-b400-7000-8000-000000000101';
const SITE = '0190f17c-b400-7000-8000-000000000102';
const BLOGS = '0190f17c-b400-7000-8000-000000000105';

const NAMES: Record<string, string> = { [JNIM]: 'JNIM', [SITE]: 'SITE Intelligence Group', [BLOGS]: 'Russian military blogs' };

/** How a reader is shown the sources: those in `confidential` as such; an unknown one not at all. */
const shown = (confidential: string[] = []) => (id: string) =>
  NAMES[id] === undefined ? undefined : { name: confidential.includes(id) ? 'Confidential source' : NAMES[id], wordsShown: !confidential.includes(id) };

describe('worded', () => {
  const statement = `${sourceReference(JNIM)}, via ${sourceReference(SITE)}, issued a communique: ${wordsReference([JNIM, SITE], '“ensnared a convoy”')}`;

  it('names the sources and shows their words when each may be known', () => {
    expect(worded(statement, shown())).toBe('JNIM, via SITE Intelligence Group, issued a communique: “ensnared a convoy”');
  });

  it('withholds the words when the source or a conduit is confidential, and names it as such', () => {
    expect(worded(statement, shown([SITE]))).toBe('JNIM, via Confidential source, issued a communique: words withheld');
  });

  it('withholds the words of a source it does not know yet', () => {
    expect(worded(wordsReference([BLOGS, '0190f17c-b400-7000-8000-0000000001ff'], '“x”'), shown())).toBe('words withheld');
  });

  it('makes a possessive of the name as it reads', () => {
    expect(worded(`${possessive(sourceReference(BLOGS))} claim`, shown())).toBe("Russian military blogs' claim");
    expect(worded(`${possessive(sourceReference(JNIM))} claim`, shown())).toBe("JNIM's claim");
    expect(possessive('the desk')).toBe("the desk's");
  });

  it('lists each source referred to once', () => {
    expect(referencedSources([statement, `${possessive(sourceReference(BLOGS))} claim`]).sort()).toEqual([JNIM, SITE, BLOGS].sort());
  });
});
