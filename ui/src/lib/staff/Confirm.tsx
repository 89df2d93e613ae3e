import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { t } from '../i18n';

/** Props of Confirm. */
export interface ConfirmProps {
  /** The question, e.g. "Cancel order 12?". */
  title: string;
  /** More about what will happen. */
  children?: ComponentChildren;
  /** The label of the button that goes ahead. */
  confirmLabel: string;
  /** Marks going ahead as destructive (red). */
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/**
 * Confirm asks before something that cannot be taken back. It is a modal
 * dialog: focus moves into it, Escape answers no, and the page behind is
 * inert until it closes. The safe answer has the focus first.
 */
export function Confirm({ title, children, confirmLabel, danger = false, onConfirm, onCancel }: ConfirmProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const safe = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open && typeof dialog.showModal === 'function') dialog.showModal();
    safe.current?.focus();
    return () => {
      if (dialog?.open) dialog.close();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      class="confirm"
      aria-labelledby="confirm-title"
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <h2 id="confirm-title">{title}</h2>
      {children}
      <div class="confirm-actions">
        <button type="button" class="secondary" ref={safe} onClick={onCancel}>
          {t('staff.confirm.no')}
        </button>
        <button type="button" class={danger ? 'danger' : ''} onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
