// Loading and error states shared by the views.
export function Loading({ what }: { what: string }) {
  return <p class="loading">Loading {what}…</p>;
}

export function ErrorBox({ error }: { error: unknown }) {
  return (
    <p class="error" role="alert">
      {error instanceof Error ? error.message : String(error)}
    </p>
  );
}
