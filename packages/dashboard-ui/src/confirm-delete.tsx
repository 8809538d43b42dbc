import { useState } from 'preact/hooks';
import { TextField } from './text-field.js';

/** A delete that is done only once the thing's name is typed again (`label` says what goes with it). */
export function ConfirmDelete({
  name,
  label,
  ariaLabel,
  remove,
  act,
  onClose,
}: {
  name: string;
  label: string;
  ariaLabel: string;
  /** Deletes it; says what it did. */
  remove: () => Promise<string>;
  act: (what: () => Promise<string>) => Promise<boolean>;
  onClose: () => void;
}) {
  const [typed, setTyped] = useState('');
  return (
    <form
      class="filters"
      data-confirm-delete={name}
      onSubmit={(e) => {
        e.preventDefault();
        void act(remove).then((ok) => ok && onClose());
      }}
    >
      <TextField class="danger" label={label} name="confirm" ariaLabel={ariaLabel} value={typed} onChange={setTyped} />
      <button type="submit" disabled={typed !== name}>
        Delete {name}
      </button>
      <button type="button" onClick={onClose}>
        Cancel
      </button>
    </form>
  );
}
