import { useState } from 'preact/hooks';
import { dashboard } from './client.js';
import { ConfirmDelete } from './confirm-delete.js';
import { TextField } from './text-field.js';

/** Saves `text` as a file named `name` through the browser's download. */
function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  URL.revokeObjectURL(url);
}

/** Exports a stack as `stack export` prints it, downloaded as NAME.json. */
export async function exportStack(name: string): Promise<string> {
  const { json } = await dashboard.exportStack({ name });
  download(`${name}.json`, json);
  return `exported stack '${name}' as ${name}.json`;
}

/** The forms above the list: a new stack, and an import of a file `stack export` wrote. */
export function StackForms({ act }: { act: (what: () => Promise<string>) => Promise<boolean> }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [file, setFile] = useState<File | undefined>();
  const [importAs, setImportAs] = useState('');
  return (
    <>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          void act(async () => {
            await dashboard.createStack({ name: name.trim(), description: description.trim() });
            setName('');
            setDescription('');
            return `created stack '${name.trim()}'`;
          });
        }}
      >
        <TextField label="New stack" name="name" value={name} onChange={setName} />
        <TextField label="Description" name="description" value={description} onChange={setDescription} />
        <button type="submit" disabled={name.trim() === ''}>
          Create
        </button>
      </form>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          if (!file) return;
          void act(async () => {
            const r = await dashboard.importStack({ json: await file.text(), name: importAs.trim() });
            return `imported stack '${r.name}' from ${file.name}`;
          });
        }}
      >
        <label>
          Import a stack export{' '}
          <input
            type="file"
            name="file"
            accept=".json,application/json"
            onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0])}
          />
        </label>
        <TextField label="as" name="as" placeholder="its own name" value={importAs} onChange={setImportAs} />
        <button type="submit" disabled={!file}>
          Import
        </button>
      </form>
    </>
  );
}

/** Deleting a stack: done only once its name is typed again. */
export function DeleteStack({
  name,
  act,
  onClose,
}: {
  name: string;
  act: (what: () => Promise<string>) => Promise<boolean>;
  onClose: () => void;
}) {
  return (
    <ConfirmDelete
      name={name}
      label={`Type ${name} to delete it with its resources, outputs and history`}
      ariaLabel="Name of the stack to delete"
      remove={async () => {
        await dashboard.deleteStack({ name });
        return `deleted stack '${name}'`;
      }}
      act={act}
      onClose={onClose}
    />
  );
}
