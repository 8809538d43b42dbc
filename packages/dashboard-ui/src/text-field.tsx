/** A labeled text box bound to a value: `onChange` gets each edit. */
export function TextField(props: {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  size?: number;
  disabled?: boolean;
  /** The input's accessible name, when the label says more than what to type. */
  ariaLabel?: string;
  class?: string;
  /** password: what is typed is not shown. */
  type?: 'text' | 'password';
  autocomplete?: 'off' | 'new-password';
}) {
  return (
    <label class={props.class}>
      {props.label}{' '}
      <input
        name={props.name}
        // Preact types each input type apart; this one is text or password, both plain text boxes.
        type={props.type as 'text' | undefined}
        autocomplete={props.autocomplete}
        size={props.size}
        placeholder={props.placeholder}
        disabled={props.disabled}
        aria-label={props.ariaLabel}
        value={props.value}
        onInput={(e) => props.onChange((e.target as HTMLInputElement).value)}
      />
    </label>
  );
}
