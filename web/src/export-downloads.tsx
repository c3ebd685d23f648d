import { useState } from 'react';
import { ApiError, type Query } from './api';
import { useDesk } from './desk-context';

// The exports (GET /exports/…) of what the page shows. Fetched with the session's key, which
// a plain link could not carry, and handed to the browser as a file.

const EXPORTS = [
  { file: 'figures.csv', label: 'Figures (CSV)' },
  { file: 'incidents.csv', label: 'Ranges per incident (CSV)' },
  { file: 'figures.ndjson', label: 'Figures (NDJSON)' },
] as const;

export function ExportDownloads({ query, label }: { query: Query; label: string }) {
  const { api } = useDesk();
  const [problem, setProblem] = useState<string | null>(null);
  const save = async (file: string) => {
    try {
      const url = URL.createObjectURL(await api.download(`/exports/${file}`, query));
      const link = document.createElement('a');
      link.href = url;
      link.download = file;
      link.click();
      // Later, not now: the browser reads the file from the URL after the click returns.
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setProblem(null);
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem.detail : String(error));
    }
  };
  return (
    <div className="downloads" role="group" aria-label={label}>
      <span>{label}:</span>
      {EXPORTS.map(({ file, label: name }) => (
        <button key={file} type="button" onClick={() => void save(file)}>
          {name}
        </button>
      ))}
      {problem && <p role="alert">{problem}</p>}
    </div>
  );
}
