import { useCallback, useMemo, useState, type ReactNode } from 'react';
import { waitForVersion, type WriteResult } from '../api';
import { COUNTRY_CODE, SOURCE_KINDS, SOURCE_LIMITS as LIMIT, type Source, type SourceKind } from '../api-types';
import { useDesk } from '../desk-context';
import { words } from '../format';
import { sourceConflict } from './conflict';
import { FormShell } from './form-shell';
import { Checkbox, EnumSelect, TextArea, TextInput } from './inputs';
import { listOf, nothingChanged } from './rules';
import { useWrite } from './use-write';

interface SourceDraft {
  name: string;
  kind: SourceKind;
  aliases: string;
  country: string;
  description: string;
  confidential: boolean;
}

const EMPTY: SourceDraft = { name: '', kind: 'armed_group', aliases: '', country: '', description: '', confidential: false };

function draftOf(source: Source): SourceDraft {
  return { ...source, aliases: source.aliases.join(', '), country: source.country ?? '', description: source.description ?? '' };
}

/**
 * What the confidential box does, said for the change it would make: a revision applies to
 * the source's whole history, not only from now on.
 */
function confidentialHint(confidential: boolean, before?: boolean): string {
  const hidden = 'readers and auditors see it as “Confidential source”, with its kind and country only: not its name, aliases or description, nor the words of its statements';
  const shown = 'Editors and admins see who it is, and the access log records each time they are shown.';
  if (before === undefined) return `When ticked, ${hidden}. ${shown}`;
  if (confidential === before) return confidential ? `Confidential now: ${hidden}. ${shown}` : 'Public now: everyone sees its name and words.';
  return confidential ? `Once saved, ${hidden}, in its whole history too. ${shown}` : 'Once saved, readers and auditors see its name, aliases, description and words, in its whole history too.';
}

function SourceFields({
  draft,
  set,
  confidentialBefore,
  namesWarning,
}: {
  draft: SourceDraft;
  set: (change: Partial<SourceDraft>) => void;
  confidentialBefore?: boolean;
  /** Said right under the name and aliases it is about. */
  namesWarning?: ReactNode;
}) {
  return (
    <>
      <div className="row">
        <TextInput name="name" label="Name" value={draft.name} onChange={(name) => set({ name })} rule={{ required: true, maxLength: LIMIT.name }} />
        <EnumSelect name="kind" label="Kind" options={SOURCE_KINDS} value={draft.kind} onChange={(kind) => set({ kind })} required />
        <TextInput
          name="country"
          label="Country"
          hint="ISO code, e.g. ML"
          value={draft.country}
          onChange={(country) => set({ country: country.toUpperCase() })}
          rule={{ format: COUNTRY_CODE }}
        />
      </div>
      <TextInput
        name="aliases"
        label="Aliases"
        hint="comma-separated"
        value={draft.aliases}
        onChange={(aliases) => set({ aliases })}
        rule={{ list: { maxItems: LIMIT.aliases, maxLength: LIMIT.alias } }}
      />
      {namesWarning}
      <TextArea name="description" label="Description" value={draft.description} onChange={(description) => set({ description })} rows={2} rule={{ maxLength: LIMIT.description }} />
      <Checkbox
        name="confidential"
        label="Confidential: readers and auditors are not shown who this source is"
        hint={confidentialHint(draft.confidential, confidentialBefore)}
        checked={draft.confidential}
        onChange={(confidential) => set({ confidential })}
      />
    </>
  );
}

/** Case, accents and spacing aside: `Malian army` is `malian  army` and `Malian Armée` is `Malian armee`. */
function folded(name: string): string {
  return name.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase().trim().replace(/\s+/g, ' ');
}

/** A source the desk has under a name the new one would take. */
interface LikelyDuplicate {
  source: Source;
  /** The new name or alias that matches. */
  typed: string;
  /** What it matches: the source's name, or one of its aliases. */
  matched: string;
}

/** The sources already registered under a name or alias of the new one. */
function useLikelyDuplicates(names: string[]): LikelyDuplicate[] {
  const { sources } = useDesk();
  // Every name and alias the desk knows, folded; an erased source has neither any more.
  const known = useMemo(() => {
    const byName = new Map<string, { source: Source; matched: string }[]>();
    for (const source of sources.filter((candidate) => !candidate.erased)) {
      for (const matched of [source.name, ...source.aliases]) byName.set(folded(matched), [...(byName.get(folded(matched)) ?? []), { source, matched }]);
    }
    return byName;
  }, [sources]);
  const found = names.flatMap((typed) => (known.get(folded(typed)) ?? []).map((match) => ({ ...match, typed })));
  return found.filter((duplicate, index) => found.findIndex((other) => other.source.id === duplicate.source.id) === index);
}

function DuplicateWarning({ duplicates, onUse }: { duplicates: LikelyDuplicate[]; onUse: (source: Source) => void }) {
  // Always there, so that screen readers hear the warning when it appears.
  return (
    <div role="status" className={duplicates.length > 0 ? 'duplicate-warning' : undefined}>
      {duplicates.length > 0 && (
        <>
          <p>
            <strong>Likely registered already.</strong> Register it anyway only if it is another source.
          </p>
          <ul>
            {duplicates.map(({ source, typed, matched }) => (
              <li key={source.id}>
                “{typed}” is {matched === source.name ? 'the name' : `an alias (“${matched}”)`} of <strong>{source.name}</strong> ({words(source.kind)}
                {source.country && `, ${source.country}`}).{' '}
                <button type="button" onClick={() => onUse(source)}>
                  Use {source.name}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

/**
 * `onDone` gets the source the editor wants: the one registered, or the existing one they
 * picked when the form warned that the new one looks like it.
 */
export function RegisterSourceForm({ onDone, onCancel }: { onDone: (sourceId: string) => void; onCancel?: () => void }) {
  const { api, reloadSources, announce } = useDesk();
  const [draft, setDraft] = useState(EMPTY);
  const set = (change: Partial<SourceDraft>) => setDraft((current) => ({ ...current, ...change }));
  const duplicates = useLikelyDuplicates(useMemo(() => [draft.name, ...listOf(draft.aliases)].filter((name) => name.trim()), [draft.name, draft.aliases]));
  const write = useWrite(
    useCallback(
      async (result: WriteResult) => {
        await waitForVersion(api, `/sources/${result.id}`, result.version);
        await reloadSources();
        announce(`Registered the source ${draft.name}.`);
        setDraft(EMPTY);
        onDone(result.id);
      },
      [api, reloadSources, announce, draft.name, onDone],
    ),
  );
  const useExisting = (source: Source) => {
    announce(`Chose ${source.name}, registered already: nothing new was registered.`);
    setDraft(EMPTY);
    onDone(source.id);
  };
  const submit = () =>
    write.submit({
      method: 'POST',
      path: '/sources',
      body: {
        id: write.createdId(),
        name: draft.name,
        kind: draft.kind,
        aliases: listOf(draft.aliases),
        ...(draft.country && { country: draft.country }),
        ...(draft.description && { description: draft.description }),
        confidential: draft.confidential,
      },
    });
  return (
    <FormShell
      title="Register a source"
      submitLabel={duplicates.length > 0 ? 'Register anyway' : 'Register source'}
      write={write}
      onSubmit={submit}
      onCancel={onCancel}
    >
      <SourceFields draft={draft} set={set} namesWarning={<DuplicateWarning duplicates={duplicates} onUse={useExisting} />} />
    </FormShell>
  );
}

export function ReviseSourceForm({ source, onDone }: { source: Source; onDone: () => void }) {
  const { api, reloadSources, announce } = useDesk();
  const seen = useMemo(() => draftOf(source), [source]);
  const [draft, setDraft] = useState(seen);
  const [reason, setReason] = useState('');
  const set = (change: Partial<SourceDraft>) => setDraft((current) => ({ ...current, ...change }));
  const write = useWrite(
    useCallback(
      async (result: WriteResult) => {
        await waitForVersion(api, `/sources/${source.id}`, result.version);
        await reloadSources();
        announce(result.recorded ? `Revised the source ${draft.name}.` : 'Nothing to change: the source already reads so.');
        onDone();
      },
      [api, source.id, reloadSources, announce, draft.name, onDone],
    ),
    useMemo(() => sourceConflict(api, source), [api, source]),
  );
  const changes: Partial<Record<keyof SourceDraft, unknown>> = {
    ...(draft.name !== seen.name && { name: draft.name }),
    ...(draft.kind !== seen.kind && { kind: draft.kind }),
    ...(draft.aliases !== seen.aliases && { aliases: listOf(draft.aliases) }),
    ...(draft.country !== seen.country && { country: draft.country }),
    ...(draft.description !== seen.description && { description: draft.description }),
    ...(draft.confidential !== seen.confidential && { confidential: draft.confidential }),
  };
  const submit = () => void write.submit({ method: 'PATCH', path: `/sources/${source.id}`, body: { ...changes, reason }, ifMatch: source.version });
  return (
    <FormShell title={`Revise ${source.name}`} submitLabel="Save revision" write={write} onSubmit={submit} onCancel={onDone} problems={nothingChanged(changes, 'name', 'revision_empty')}>
      <SourceFields draft={draft} set={set} confidentialBefore={seen.confidential} />
      <TextInput name="reason" label="Reason for the revision" value={reason} onChange={setReason} rule={{ required: true, maxLength: LIMIT.reason }} />
    </FormShell>
  );
}

/**
 * Erasing a source (admins): for everyone and for ever, it is "erased source" and its
 * statements' words are gone, while the ledger's events stay. Nothing takes it back, so the
 * form says so in plain words and asks for the source's name, typed, before it sends.
 */
export function EraseSourceForm({ source, onDone }: { source: Source; onDone: () => void }) {
  const { api, reloadSources, announce } = useDesk();
  const [reason, setReason] = useState('');
  const [typedName, setTypedName] = useState('');
  const write = useWrite(
    useCallback(
      async (result: WriteResult) => {
        await waitForVersion(api, `/sources/${source.id}`, result.version);
        await reloadSources();
        announce(result.recorded ? 'Erased the source: everyone now sees it as “erased source”.' : 'Nothing to change: the source was erased already.');
        onDone();
      },
      [api, source.id, reloadSources, announce, onDone],
    ),
    useMemo(() => sourceConflict(api, source), [api, source]),
  );
  const submit = () => void write.submit({ method: 'POST', path: `/sources/${source.id}/erasure`, body: { reason }, ifMatch: source.version });
  // Typing the name (case, accents and spacing aside) is the deliberate act that lets the erasure go.
  const misspelt = `Type ${source.name} exactly as it is spelled here.`;
  const confirmation = { required: misspelt, check: (typed: string) => (folded(typed) === folded(source.name) ? undefined : misspelt) };
  return (
    <div className="erase-source">
      <FormShell title={`Erase ${source.name}`} submitLabel="Erase for ever" write={write} onSubmit={submit} onCancel={onDone} refusal="Nothing was erased">
        <div className="consequence">
          <p>
            <strong>This cannot be undone.</strong> For everyone (readers, editors, auditors and admins alike) and for ever:
          </p>
          <ul>
            <li>
              the name <q>{source.name}</q>, {source.aliases.length > 0 ? `the aliases ${source.aliases.join(', ')}, ` : 'its aliases, '}and its description can no longer be read: the desk and
              the API call it “erased source”;
            </li>
            <li>the words of its statements (quotes, translations and links) can no longer be read;</li>
            <li>no new claim or statement by it, or through it, can be recorded.</li>
          </ul>
          <p>What stays: the events in the ledger (that it was registered, what was recorded from it, by whom and when), and this erasure with your reason.</p>
        </div>
        <TextArea
          name="reason"
          label="Reason for the erasure"
          hint="Kept in the ledger with the erasure, for everyone who reads the record: do not repeat what is being erased."
          value={reason}
          onChange={setReason}
          rows={2}
          rule={{ required: true, maxLength: LIMIT.reason }}
        />
        <TextInput
          name="confirmName"
          label="Type the source’s name to confirm"
          hint={`It is spelled: ${source.name}`}
          value={typedName}
          onChange={setTypedName}
          rule={confirmation}
        />
      </FormShell>
    </div>
  );
}
