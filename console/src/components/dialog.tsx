/**
 * A modal on the native <dialog>: the browser keeps focus inside, Escape closes it, and focus goes
 * back to what opened it. Forms inside submit with Enter; the first field has focus on open.
 */
import { useEffect, useId, useRef, type ReactNode } from 'react';

export interface DialogProps {
  title: string;
  open: boolean;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
}

export function Dialog(p: DialogProps): ReactNode {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (p.open && !d.open) {
      d.showModal();
      // Focus the first field (not the close button the browser would pick), so typing starts the form.
      d.querySelector<HTMLElement>('.dialog-body :is(input, select, textarea, button, a[href]):not([disabled])')?.focus();
    }
    if (!p.open && d.open) d.close();
  }, [p.open]);
  return (
    <dialog
      ref={ref}
      className={`dialog${p.wide ? ' wide' : ''}`}
      aria-labelledby={titleId}
      onClose={p.onClose}
      onCancel={(e) => {
        e.preventDefault();
        p.onClose();
      }}
    >
      {p.open && (
        <>
          <header className="dialog-head">
            <h2 id={titleId}>{p.title}</h2>
            <button type="button" className="icon-button" aria-label="Close" onClick={p.onClose}>
              ×
            </button>
          </header>
          <div className="dialog-body">{p.children}</div>
        </>
      )}
    </dialog>
  );
}
