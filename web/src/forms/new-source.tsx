import { useEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { RegisterSourceForm } from './source-forms';

// A claimant or conduit the desk has not registered yet is registered from the picker that
// wants it, without leaving the claim or statement half written: the source form opens in a
// dialog, and the source registered (or the existing one the editor picks instead, when the
// form warns of a likely duplicate) is chosen in the picker.

export function NewSourceButton({ label, onChosen }: { label: string; onChosen: (sourceId: string) => void }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="new-source" aria-haspopup="dialog" aria-label={`New source for ${label}`} onClick={() => setOpen(true)}>
        + New source
      </button>
      {open && <SourceDialog onChosen={onChosen} onClose={() => setOpen(false)} />}
    </>
  );
}

/**
 * Modal, and outside the form that opened it (a form may not hold another): the dialog
 * keeps the keyboard in it, Escape closes it, and closing gives the focus back to the
 * button that opened it.
 */
function SourceDialog({ onChosen, onClose }: { onChosen: (sourceId: string) => void; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    if (!dialog.current?.open) dialog.current?.showModal();
  }, []);
  const choose = (sourceId: string) => {
    onChosen(sourceId);
    dialog.current?.close();
  };
  return createPortal(
    <dialog ref={dialog} className="source-dialog" aria-label="Register a source" onClose={onClose}>
      <RegisterSourceForm onDone={choose} onCancel={() => dialog.current?.close()} />
    </dialog>,
    document.body,
  );
}
