import { randomBytes } from 'node:crypto';
import { isSealed, keyOfAll, openText, sealText } from './field-cipher.js';
import { ERASED_SOURCE_NAME, ERASED_WORDS, erasedValue, fieldOf, sourcesIdentifiedIn, withIdentifyingFields } from './identifying-fields.js';

// What identifies a source, found in each event that holds it (carried ones too), and sealed
// so that it opens only with its source's key, for its own field.

const GAO_SOURCES = '0190f5a2-6c00-7b01-8000-00000000b007';
const SITE = '0190f5a2-6c00-7b01-8000-00000000b002';
const registered = { sourceId: GAO_SOURCES, name: 'Two security sources in Gao', kind: 'anonymous', aliases: ['Gao pair', 'the officers'], description: 'Officers of the Gao command', confidential: true };
const told = { incidentId: 'i', statementId: 's', sourceId: GAO_SOURCES, via: [SITE], medium: 'interview', quote: 'Le convoi a été frappé deux fois', language: 'fr', translation: 'The convoy was hit twice', url: 'https://example.org/gao', stances: [] };

const upper = (_sourceIds: readonly string[], _field: string, value: string) => value.toUpperCase();

describe('withIdentifyingFields', () => {
  it("maps a source's name, aliases and description, and nothing else of it", () => {
    expect(withIdentifyingFields('SourceRegistered', registered, upper)).toEqual({
      ...registered,
      name: 'TWO SECURITY SOURCES IN GAO',
      aliases: ['GAO PAIR', 'THE OFFICERS'],
      description: 'OFFICERS OF THE GAO COMMAND',
    });
  });

  it("maps a statement's quote, translation and url, as identifying the speaker and each conduit", () => {
    const seen: string[] = [];
    const mapped = withIdentifyingFields('SourceStatementRecorded', told, (sourceIds, field, value) => {
      seen.push(`${sourceIds.join('+')}/${field}`);
      return value.toUpperCase();
    });
    expect(mapped).toEqual({ ...told, quote: 'LE CONVOI A ÉTÉ FRAPPÉ DEUX FOIS', translation: 'THE CONVOY WAS HIT TWICE', url: 'HTTPS://EXAMPLE.ORG/GAO' });
    expect(seen).toEqual([`${GAO_SOURCES}+${SITE}/quote`, `${GAO_SOURCES}+${SITE}/translation`, `${GAO_SOURCES}+${SITE}/url`]);
    expect(sourcesIdentifiedIn('SourceStatementRecorded', told)).toEqual([GAO_SOURCES, SITE]);
  });

  it('maps the statements a merge or a split carries', () => {
    const absorbed = { incidentId: 'i', absorbedIncidentId: 'j', reason: 'duplicate', events: [{ type: 'SourceStatementRecorded', data: told, revision: 1, recordedAt: 't', recordedBy: 'desk' }] };
    expect(withIdentifyingFields('IncidentAbsorbed', absorbed, upper)).toMatchObject({ events: [{ data: { quote: 'LE CONVOI A ÉTÉ FRAPPÉ DEUX FOIS' }, revision: 1 }] });
    expect(sourcesIdentifiedIn('IncidentSplitFrom', absorbed)).toEqual([GAO_SOURCES, SITE]);
  });

  it('leaves events that identify no source as they are', () => {
    const claim = { incidentId: 'i', claimId: 'c', claimantId: GAO_SOURCES, via: [], summary: 'hit twice', kind: 'event', figures: [], statedAt: 't' };
    expect(withIdentifyingFields('ClaimReported', claim, upper)).toBe(claim);
    expect(sourcesIdentifiedIn('ClaimReported', claim)).toEqual([]);
  });

  it('erases as a destroyed key reads: stand-ins for the name and the quote, nothing of the rest', () => {
    const erase = (_sourceIds: readonly string[], field: string) => erasedValue(field);
    expect(withIdentifyingFields('SourceRegistered', registered, erase)).toEqual({ sourceId: GAO_SOURCES, name: ERASED_SOURCE_NAME, kind: 'anonymous', aliases: [], confidential: true });
    const { translation: _translation, url: _url, ...rest } = told;
    expect(withIdentifyingFields('SourceStatementRecorded', told, erase)).toEqual({ ...rest, quote: ERASED_WORDS });
  });
});

describe('sealed text', () => {
  const key = randomBytes(32);

  it('opens with its key, as the field of the source it was sealed for', () => {
    const sealed = sealText(key, fieldOf([GAO_SOURCES], 'name'), registered.name);
    expect(isSealed(sealed)).toBe(true);
    expect(sealed).not.toContain('Gao');
    expect(openText(key, fieldOf([GAO_SOURCES], 'name'), sealed)).toBe(registered.name);
    // The same text sealed twice reads differently: equal names do not show as equal.
    expect(sealText(key, fieldOf([GAO_SOURCES], 'name'), registered.name)).not.toBe(sealed);
  });

  it('does not open with another key, as another field or source, or altered', () => {
    const sealed = sealText(key, fieldOf([GAO_SOURCES], 'quote'), told.quote);
    expect(() => openText(randomBytes(32), fieldOf([GAO_SOURCES], 'quote'), sealed)).toThrow();
    expect(() => openText(key, fieldOf([GAO_SOURCES], 'translation'), sealed)).toThrow();
    expect(() => openText(key, fieldOf([SITE], 'quote'), sealed)).toThrow();
    const altered = `${sealed.slice(0, 20)}${sealed[20] === 'A' ? 'B' : 'A'}${sealed.slice(21)}`;
    expect(() => openText(key, fieldOf([GAO_SOURCES], 'quote'), altered)).toThrow();
  });

  it('opens, sealed for several sources, only while every one of their keys exists', () => {
    const [speaker, conduit, other] = [randomBytes(32), randomBytes(32), randomBytes(32)];
    const both = [GAO_SOURCES, SITE];
    const sealed = sealText(keyOfAll([speaker, conduit], both), fieldOf(both, 'quote'), told.quote);
    expect(openText(keyOfAll([speaker, conduit], both), fieldOf(both, 'quote'), sealed)).toBe(told.quote);
    expect(() => openText(keyOfAll([speaker, other], both), fieldOf(both, 'quote'), sealed)).toThrow();
    expect(() => openText(speaker, fieldOf([GAO_SOURCES], 'quote'), sealed)).toThrow();
    // One layer however many sources: as long as one sealed for one source.
    expect(sealed.length).toBe(sealText(speaker, fieldOf([GAO_SOURCES], 'quote'), told.quote).length);
  });

  it('is told from text a client could send', () => {
    expect(isSealed('⟦sealed:⟧')).toBe(false);
    expect(isSealed('sealed: not really')).toBe(false);
  });
});
