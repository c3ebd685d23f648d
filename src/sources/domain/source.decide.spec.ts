// The rules of a source's write side, with sources from the Tinzaouaten reports of July 2024.
import { given } from '../../../test/support/given-when-then.js';
import { sourceDecider } from './source.decide.js';
import type { SourceEvent, SourceRegisteredData } from './source.events.js';

const JNIM = '0190f5a2-6c00-7b01-8000-00000000b001';
const SECURITY_SOURCE = '0190f5a2-6c00-7b01-8000-00000000b007';

const jnim: SourceRegisteredData = {
  sourceId: JNIM,
  name: "Jama'a Nusrat ul-Islam wa al-Muslimin",
  kind: 'armed_group',
  aliases: ['JNIM', 'GSIM'],
  description: 'Al-Qaeda affiliate active across the Sahel',
  confidential: false,
};
const jnimRegistered: SourceEvent = { type: 'SourceRegistered', data: jnim };
const reason = 'JNIM claimed the Tinzaouaten convoy ambush through SITE Intelligence Group';

describe('RegisterSource', () => {
  it('registers the source', () => {
    given(sourceDecider, []).when({ type: 'RegisterSource', data: jnim }).then([jnimRegistered]);
  });

  it('registers an anonymous source as confidential, without a country', () => {
    const securitySource: SourceRegisteredData = {
      sourceId: SECURITY_SOURCE,
      name: 'Security source (convoy ambush)',
      kind: 'anonymous',
      aliases: [],
      country: undefined,
      confidential: true,
    };
    given(sourceDecider, [])
      .when({ type: 'RegisterSource', data: securitySource })
      .then([{ type: 'SourceRegistered', data: { sourceId: SECURITY_SOURCE, name: securitySource.name, kind: 'anonymous', aliases: [], confidential: true } }]);
  });

  it('answers a retry with the same id and data with no events', () => {
    given(sourceDecider, [jnimRegistered]).when({ type: 'RegisterSource', data: { ...jnim, aliases: ['JNIM', 'GSIM'] } }).then([]);
  });

  it('rejects an id already taken by a source registered with other data', () => {
    given(sourceDecider, [jnimRegistered])
      .when({ type: 'RegisterSource', data: { ...jnim, name: 'SITE Intelligence Group', kind: 'monitoring_group' } })
      .thenThrows({ kind: 'conflict', code: 'source_exists', field: 'sourceId' });
  });
});

describe('ReviseSource', () => {
  it('needs a registered source', () => {
    given(sourceDecider, [])
      .when({ type: 'ReviseSource', data: { sourceId: JNIM, country: 'ML', reason } })
      .thenThrows({ kind: 'not_found', code: 'source_not_found' });
  });

  it('records the changed fields and the reason', () => {
    const revision = { sourceId: JNIM, aliases: ['JNIM', 'GSIM', "Jama'at Nusrat al-Islam wal-Muslimin"], reason };
    given(sourceDecider, [jnimRegistered]).when({ type: 'ReviseSource', data: revision }).then([{ type: 'SourceRevised', data: revision }]);
  });

  it('needs at least one changed field', () => {
    given(sourceDecider, [jnimRegistered])
      .when({ type: 'ReviseSource', data: { sourceId: JNIM, reason } })
      .thenThrows({ kind: 'invalid', code: 'revision_empty' });
  });

  it('needs a reason', () => {
    given(sourceDecider, [jnimRegistered])
      .when({ type: 'ReviseSource', data: { sourceId: JNIM, confidential: true, reason: '' } })
      .thenThrows({ kind: 'invalid', code: 'reason_required', field: 'reason' });
  });
});

describe('EraseSource', () => {
  const erasure = { sourceId: JNIM, reason: 'The source asked to be forgotten; the desk agreed' };

  it('records the erasure of a registered source', () => {
    given(sourceDecider, [jnimRegistered]).when({ type: 'EraseSource', data: erasure }).then([{ type: 'SourceErased', data: erasure }]);
  });

  it('answers an erasure repeated with no events', () => {
    given(sourceDecider, [jnimRegistered, { type: 'SourceErased', data: erasure }]).when({ type: 'EraseSource', data: erasure }).then([]);
  });

  it('needs a registered source and a reason', () => {
    given(sourceDecider, []).when({ type: 'EraseSource', data: erasure }).thenThrows({ kind: 'not_found', code: 'source_not_found' });
    given(sourceDecider, [jnimRegistered]).when({ type: 'EraseSource', data: { ...erasure, reason: ' ' } }).thenThrows({ kind: 'invalid', code: 'reason_required', field: 'reason' });
  });

  it('revises an erased source no more', () => {
    given(sourceDecider, [jnimRegistered, { type: 'SourceErased', data: erasure }])
      .when({ type: 'ReviseSource', data: { sourceId: JNIM, kind: 'other', reason } })
      .thenThrows({ kind: 'conflict', code: 'source_erased' });
  });
});
